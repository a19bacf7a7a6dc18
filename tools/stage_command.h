// The edge every stage command shares: the experiment file loaded with its --set overrides, the process set up
// (engine/process_setup.h), the stage run; any failure is one "error: ..." line, exit status 1, and the other ranks
// of a distributed run aborted with it.
//
// Example (train_command.cc):
//   return RunStageCommand("train", FLAGS_config, command_line.overrides,
//                          [&](const config::Experiment& e, distributed::Communicator& comm) { ... });
#ifndef ZEGCLIP_TOOLS_STAGE_COMMAND_H_
#define ZEGCLIP_TOOLS_STAGE_COMMAND_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"

namespace zegclip::tools {

using StageBody = std::function<absl::Status(const config::Experiment&, distributed::Communicator&)>;

int RunStageCommand(const std::string& name, const std::string& config_path,
                    const std::vector<std::string>& overrides, const StageBody& body);

}  // namespace zegclip::tools

#endif  // ZEGCLIP_TOOLS_STAGE_COMMAND_H_
