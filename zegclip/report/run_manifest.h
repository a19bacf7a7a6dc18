// The run manifest (manifest.json in every run directory): what produced the numbers — code (git commit and dirty
// flag), command line, machine, world size and backend, library versions, seeds, start/end times and wall-clock.
//
// Example:
//   RunManifest m = StartManifest(command_line, /*seed=*/0);
//   m.world_size = comm.size(); m.backend = comm.backend();
//   ... run ...
//   FinishManifest(&m);
//   absl::Status s = WriteManifest(m, work_dir + "/manifest.json");
#ifndef ZEGCLIP_REPORT_RUN_MANIFEST_H_
#define ZEGCLIP_REPORT_RUN_MANIFEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::report {

struct RunManifest {
  std::string command;      // the whole command line
  std::string subcommand;   // train, eval, pretrain-clip, ...
  std::string git_commit;   // "unknown" outside a git checkout
  bool git_dirty = false;
  std::string hostname;
  int world_size = 1;
  std::string backend = "single";
  uint64_t seed = 0;
  int threads = 1;
  std::vector<std::pair<std::string, std::string>> versions;
  std::string start_time;   // ISO 8601 UTC
  std::string end_time;
  double wall_seconds = 0;
  std::map<std::string, std::string> extra;  // anything a subcommand adds (e.g. the CLIP checkpoint it used)
  int64_t start_unix_ms = 0;
};

// "2026-12-04T06:00:00Z": a Unix time in milliseconds, and now, as ISO 8601 UTC.
std::string IsoTime(int64_t unix_ms);
std::string UtcTimeNow();

// Fills code, machine, versions and the start time.
RunManifest StartManifest(const std::string& command, const std::string& subcommand, uint64_t seed);
void FinishManifest(RunManifest* manifest);
std::string ManifestToJson(const RunManifest& manifest);
absl::Status WriteManifest(const RunManifest& manifest, const std::string& path);

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_RUN_MANIFEST_H_
