// The `zegclip` binary's subcommands (Caffe's `caffe train --solver=...` style): one table, explicit entries.
//
// Example: `zegclip validate-config --config=experiments/voc_inductive.pbtxt --set=train.max_iters=100`
#ifndef ZEGCLIP_TOOLS_COMMAND_H_
#define ZEGCLIP_TOOLS_COMMAND_H_

#include <map>
#include <string>
#include <vector>


namespace zegclip::tools {

// What a subcommand receives: the repeatable --set overrides (gflags keeps only the last of a repeated flag, so
// they are collected before gflags parses) and any positional arguments after the subcommand name.
struct CommandLine {
  std::vector<std::string> overrides;
  // Every repeatable flag other than --set (--text, --image), values in command-line order.
  std::map<std::string, std::vector<std::string>> repeated;
  std::vector<std::string> positional;
  std::string invocation;  // the whole command line, for run manifests
};

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
// CLIP from the command line (clip_commands.cc): BPE ids, image/text embeddings + zero-shot probabilities, and
// template-averaged class embeddings as .npy.
int RunTokenize(const CommandLine& command_line);
int RunClipEncode(const CommandLine& command_line);
int RunTextEmbed(const CommandLine& command_line);
// Datasets on disk: the synthetic world exported in the VOC layout; every bad file of a dataset, with a histogram.
int RunMakeSynthetic(const CommandLine& command_line);
int RunCheckData(const CommandLine& command_line);

}  // namespace zegclip::tools

#endif  // ZEGCLIP_TOOLS_COMMAND_H_
