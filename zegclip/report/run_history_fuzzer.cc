// Fuzz target: history.jsonl as `train --resume` reads it (ReadRunHistory), then a new segment recorded on top
// (WithSegment). Invariants: nothing crashes or throws; errors have messages; a history read starts at iterations
// >= 0, strictly increasing; recording a segment keeps that order, with the new segment last.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "zegclip/report/run_history.h"
#include "zegclip/testing/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using zegclip::report::RunSegment;
  zegclip::testing::FuzzBytes in(data, size);
  const int64_t resume_iter = in.IntInRange(0, 1000);
  const std::string& path = zegclip::testing::InputFile(in.Rest());
  absl::StatusOr<std::vector<RunSegment>> history = zegclip::report::ReadRunHistory(path);
  if (!history.ok()) {
    FUZZ_CHECK(!history.status().message().empty(), "an error without a message");
    return 0;
  }
  for (size_t i = 0; i < history->size(); ++i) {
    FUZZ_CHECK((*history)[i].start_iter >= 0, "a segment before iteration 0");
    FUZZ_CHECK(i == 0 || (*history)[i - 1].start_iter < (*history)[i].start_iter, "a history read out of order");
  }
  RunSegment segment{resume_iter, "2026-12-06T00:00:00Z", "zegclip train", {{"train.lr", "0.001", "0.0005"}}};
  const std::vector<RunSegment> updated = zegclip::report::WithSegment(*history, segment);
  FUZZ_CHECK(!updated.empty() && updated.back().start_iter == resume_iter, "the new segment is not the last");
  for (size_t i = 1; i < updated.size(); ++i) {
    FUZZ_CHECK(updated[i - 1].start_iter < updated[i].start_iter, "segments out of order after recording one");
  }
  return 0;
}
