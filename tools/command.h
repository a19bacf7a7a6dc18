// The `zegclip` binary's subcommands (Caffe's `caffe train --solver=...` style): one table, explicit entries.
//
// Example: `zegclip validate-config --config=experiments/voc_inductive.pbtxt --set=train.max_iters=100`
#ifndef ZEGCLIP_TOOLS_COMMAND_H_
#define ZEGCLIP_TOOLS_COMMAND_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/distributed/communicator.h"


namespace zegclip::tools {

// What a subcommand receives: the repeatable --set overrides (gflags keeps only the last of a repeated flag, so
// they are collected before gflags parses) and any positional arguments after the subcommand name.
struct CommandLine {
  std::vector<std::string> overrides;
  // Every repeatable flag other than --set (--text, --image), values in command-line order.
  std::map<std::string, std::vector<std::string>> repeated;
  std::vector<std::string> positional;
  std::string invocation;  // the whole command line, for run manifests

  // The values of a repeatable flag, in command-line order (none: empty).
  std::vector<std::string> Values(const std::string& flag) const;
};

// The command line with the repeatable flags (--set, --text, --image) taken out of argv before gflags parses it
// (gflags keeps only the last value of a repeated flag); --set is removed from argv, the others stay for gflags too.
CommandLine TakeCommandLine(int* argc, char** argv);

// The two ways a command fails, each one line on stderr: a bad flag ("<command>: <message>", exit status 2), or a
// failure while running ("error: <message>", exit status 1). Each returns the exit status.
int UsageError(const char* command, const std::string& message);
int RuntimeError(const absl::Status& status);

// A stage command's two required flags: 0 when both are set, else the usage error's exit status (2) after
// "<command>: --config=FILE and --work_dir=DIR are required".
int RequireConfigAndWorkDir(const char* command, const std::string& config, const std::string& work_dir);

// "" when there are no stray positional arguments, else the problem (with a hint to quote texts with spaces).
std::string PositionalProblem(const CommandLine& command_line);
// "" when `path` (given as --flag) may be written: its folder exists and it is not itself a folder.
std::string OutputPathProblem(const char* flag, const std::string& path);

// The edge every stage command shares: the experiment file loaded with its --set overrides, the process set up
// (engine/process_setup.h), `body` run; any failure is one "error: ..." line, exit status 1, and the other ranks of a
// distributed run aborted with it. Example (train_command.cc):
//   return RunStageCommand("train", FLAGS_config, command_line.overrides,
//                          [&](const config::Experiment& e, distributed::Communicator& comm) { ... });
using StageBody = std::function<absl::Status(const config::Experiment&, distributed::Communicator&)>;
int RunStageCommand(const std::string& name, const std::string& config_path,
                    const std::vector<std::string>& overrides, const StageBody& body);

// Intra-op threads on every core (the inference commands; training sets threads from its config).
void UseAllCores();

struct Command {
  const char* name;
  const char* usage;    // flags it takes
  const char* summary;  // one line
  int (*run)(const CommandLine&);
};

int RunValidateConfig(const CommandLine& command_line);
// The segmentor's parameter table from a config (summary_command.cc).
int RunSummary(const CommandLine& command_line);
int RunReport(const CommandLine& command_line);
int RunPretrainClip(const CommandLine& command_line);
int RunTrain(const CommandLine& command_line);
int RunEval(const CommandLine& command_line);
int RunQuickstart(const CommandLine& command_line);
int RunSweep(const CommandLine& command_line);
int RunSegment(const CommandLine& command_line);
// A checkpoint of ours as the authors' mmseg checkpoint (export_authors_command.cc).
int RunExportAuthors(const CommandLine& command_line);
// Two run directories side by side: metrics, per-class IoU moves, config diff, provenance (compare_command.cc).
int RunCompare(const CommandLine& command_line);
int RunVersion(const CommandLine& command_line);
// CLIP from the command line: BPE ids (tokenize_command.cc), image/text embeddings + zero-shot probabilities
// (clip_encode_command.cc), template-averaged class embeddings as .npy (text_embed_command.cc).
int RunTokenize(const CommandLine& command_line);
int RunClipEncode(const CommandLine& command_line);
int RunTextEmbed(const CommandLine& command_line);
// Datasets on disk: the synthetic world exported in the VOC layout; every bad file of a dataset, with a histogram.
int RunMakeSynthetic(const CommandLine& command_line);
int RunCheckData(const CommandLine& command_line);

}  // namespace zegclip::tools

#endif  // ZEGCLIP_TOOLS_COMMAND_H_
