// `zegclip compare`'s library half: two finished run directories read and checked (eval.json through its record,
// manifest.json, config.pbtxt parsed but not validated), and the Markdown that puts them side by side: the headline
// metrics (with B - A), the per-class IoUs that moved, the config fields that differ, and where each run came from.
//
// Example:
//   absl::StatusOr<ComparedRun> a = ReadComparedRun("runs/voc"), b = ReadComparedRun("runs/voc_el");
//   std::cout << CompareRunsMarkdown(*a, *b);
#ifndef ZEGCLIP_ENGINE_RUN_COMPARISON_H_
#define ZEGCLIP_ENGINE_RUN_COMPARISON_H_

#include <nlohmann/json.hpp>

#include <string>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/report/eval_record.h"

namespace zegclip::engine {

struct ComparedRun {
  std::string dir;
  report::EvalRecord eval;
  nlohmann::json manifest;
  config::Experiment config;
};

// Every file read and checked; a missing or broken one is one error naming it.
absl::StatusOr<ComparedRun> ReadComparedRun(const std::string& dir);

std::string CompareRunsMarkdown(const ComparedRun& a, const ComparedRun& b);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_RUN_COMPARISON_H_
