#include "tools/pipeline_stages.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_format.h"
#include "tools/experiment_options.h"
#include "tools/flags.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/dist/communicator_factory.h"

namespace zegclip::tools {

absl::Status WritePretrainJson(const std::string& path, const PretrainSummary& s, int64_t images) {
  nlohmann::ordered_json j;
  j["checkpoint"] = s.checkpoint;
  j["vocabulary"] = s.vocabulary;
  j["retrieval_images"] = images;
  j["retrieval_top1"] = s.retrieval;
  j["retrieval_top1_seen"] = s.retrieval_seen;
  j["retrieval_top1_unseen"] = s.retrieval_unseen;
  j["unseen_right_colour"] = s.unseen_colour;
  j["unseen_right_pattern"] = s.unseen_pattern;
  return report::WriteFileAtomically(path, j.dump(2) + "\n");
}

std::string FormatPretrainSummary(const PretrainSummary& s) {
  return absl::StrFormat(
      "  CLIP image→text retrieval top-1: all %.1f | seen %.1f | unseen %.1f (unseen: colour right %.1f, "
      "pattern right %.1f)\n  checkpoint: %s",
      s.retrieval, s.retrieval_seen, s.retrieval_unseen, s.unseen_colour, s.unseen_pattern, s.checkpoint);
}

int RunStage(const CommandLine& command_line, const std::string& name,
             const std::function<absl::Status(const config::Experiment&, dist::Communicator&)>& stage) {
  if (FLAGS_config.empty() || FLAGS_work_dir.empty()) {
    std::cerr << name << ": --config=FILE and --work_dir=DIR are required\n";
    return 2;
  }
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(FLAGS_config, command_line.overrides);
  if (!experiment.ok()) {
    std::cerr << "error: " << experiment.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<dist::Communicator>> comm =
      dist::CreateCommunicator(DistOptionsFrom(experiment->distributed()));
  if (!comm.ok()) {
    std::cerr << "error: " << comm.status().message() << "\n";
    return 1;
  }
  // LibTorch defaults to one intra-op thread here; use the cores, shared among this host's ranks.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = experiment->train().threads() > 0 ? experiment->train().threads()
                                                        : std::max(1, cores / (*comm)->size());
  at::set_num_threads(threads);
  absl::Status status;
  try {
    status = stage(*experiment, **comm);
  } catch (const c10::Error& error) {
    status = absl::InternalError(error.what_without_backtrace());
  }
  if (status.ok()) return 0;
  std::cerr << "error: " << status.message() << "\n";
  if ((*comm)->size() > 1) (*comm)->Abort(name + " failed: " + std::string(status.message()));
  return 1;
}

}  // namespace zegclip::tools
