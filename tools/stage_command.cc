#include "tools/stage_command.h"

#include <c10/util/Exception.h>

#include <iostream>
#include <memory>

#include "tools/command.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/process_setup.h"

namespace zegclip::tools {

int RunStageCommand(const std::string& name, const std::string& config_path,
                    const std::vector<std::string>& overrides, const StageBody& body) {
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(config_path, overrides);
  if (!experiment.ok()) return RuntimeError(experiment.status());
  absl::StatusOr<std::unique_ptr<distributed::Communicator>> comm = engine::SetUpProcess(*experiment);
  if (!comm.ok()) return RuntimeError(comm.status());
  absl::Status status;
  try {
    status = body(*experiment, **comm);
  } catch (const c10::Error& error) {
    status = absl::InternalError(error.what_without_backtrace());
  }
  if (status.ok()) return 0;
  std::cerr << "error: " << status.message() << "\n";
  if ((*comm)->size() > 1) (*comm)->Abort(name + " failed: " + std::string(status.message()));
  return 1;
}

}  // namespace zegclip::tools
