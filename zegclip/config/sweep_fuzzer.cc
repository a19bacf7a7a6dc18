// Fuzz target: a sweep file from arbitrary bytes, parsed and expanded into points (ParseSweepText + ExpandSweep; the
// base experiment is not read). Input: the sweep text, then "\n--\n", then one extra `--set` override per line.
// Invariants: nothing crashes or throws; every error has a message; expanded points have unique, non-empty names
// that are safe as one folder name (no '/', not "." or ".."), and each point's values follow the sweep's axes.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "zegclip/config/sweep_loader.h"
#include "zegclip/testing/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace zegclip::config;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find("\n--\n");
  std::vector<std::string> extra;
  if (split != std::string::npos) extra = absl::StrSplit(input.substr(split + 4), '\n');

  absl::StatusOr<Sweep> sweep = ParseSweepText(input.substr(0, split), "fuzz_sweep.pbtxt");
  if (!sweep.ok()) {
    FUZZ_CHECK(!sweep.status().message().empty(), "a parse error without a message");
    return 0;
  }
  absl::StatusOr<std::vector<SweepPoint>> points = ExpandSweep(*sweep, extra);
  if (!points.ok()) {
    FUZZ_CHECK(!points.status().message().empty(), "an expansion error without a message");
    return 0;
  }
  FUZZ_CHECK(!points->empty(), "a sweep that expands to no points");
  std::set<std::string> names;
  for (const SweepPoint& p : *points) {
    FUZZ_CHECK(!p.name.empty() && p.name != "." && p.name != "..", "a point name that is no folder: " + p.name);
    FUZZ_CHECK(p.name.find('/') == std::string::npos && p.name.find('\0') == std::string::npos,
               "a point name that is not one path component: " + p.name);
    FUZZ_CHECK(names.insert(p.name).second, "two points named " + p.name);
    FUZZ_CHECK(p.overrides.size() >= p.values.size(), "a point with fewer overrides than values");
  }
  return 0;
}
