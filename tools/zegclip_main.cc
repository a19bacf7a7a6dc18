// zegclip — one binary, subcommands: `zegclip help` lists them.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tools/command.h"

namespace zegclip::tools {
namespace {

int RunHelp(const CommandLine&);

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"help", "", "list the subcommands", RunHelp},
      {"validate-config", "--config=F [--set=FIELD=VALUE ...]", "check an experiment file and print it resolved",
       RunValidateConfig},
      {"pretrain-clip", "--config=F --work_dir=D [--set ...]",
       "contrastive pre-training of a small CLIP on the synthetic world; retrieval accuracy seen/unseen",
       RunPretrainClip},
      {"train", "--config=F --work_dir=D [--set ...]", "train ZegCLIP (resumes from D), evaluate, write the report",
       RunTrain},
      {"eval", "--config=F --checkpoint=C|baseline --work_dir=D [--set ...]",
       "evaluate a checkpoint (or the training-free baseline): eval.json, table, report", RunEval},
      {"quickstart", "[--config=F] [--work_dir=D] [--force]",
       "the whole experiment in the synthetic world: pre-train CLIP, baseline, train, evaluate, report",
       RunQuickstart},
      {"sweep", "--sweep=F --work_dir=D [--set ...]",
       "train every point of a sweep file into D/<point>/ (skipping finished ones) and write the table D/sweep.md",
       RunSweep},
      {"report", "--work_dir=D", "regenerate D/report.md and D/report.html from the run's files", RunReport},
      {"version", "", "print the versions of zegclip and the libraries it was built with", RunVersion},
  };
  return commands;
}

int RunHelp(const CommandLine&) {
  std::cout << "usage: zegclip <command> [flags]\n\ncommands:\n";
  for (const Command& c : Commands()) {
    std::cout << "  " << c.name << " " << c.usage << "\n      " << c.summary << "\n";
  }
  std::cout << "\n--set=FIELD.PATH=VALUE (repeatable) overrides a field of the experiment file.\n";
  return 0;
}

// Removes every --set=X / --set X from argv (gflags would keep only the last) and returns the values in order.
std::vector<std::string> TakeOverrides(int* argc, char** argv) {
  std::vector<std::string> overrides;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    if (std::strncmp(argv[i], "--set=", 6) == 0) {
      overrides.emplace_back(argv[i] + 6);
    } else if (std::strcmp(argv[i], "--set") == 0 && i + 1 < *argc) {
      overrides.emplace_back(argv[++i]);
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  return overrides;
}

std::string Invocation(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

}  // namespace
}  // namespace zegclip::tools

int main(int argc, char** argv) {
  using zegclip::tools::Command;
  using zegclip::tools::CommandLine;
  // Under `bazel run` the process starts in the runfiles tree; relative paths the user typed mean their own folder.
  if (const char* dir = std::getenv("BUILD_WORKING_DIRECTORY"); dir != nullptr && chdir(dir) != 0) {
    std::cerr << "zegclip: cannot enter the working directory " << dir << "\n";
    return 2;
  }
  CommandLine command_line;
  command_line.invocation = zegclip::tools::Invocation(argc, argv);
  command_line.overrides = zegclip::tools::TakeOverrides(&argc, argv);
  gflags::SetUsageMessage("zegclip <command> [flags]; `zegclip help` lists the commands");
  gflags::ParseCommandLineFlags(&argc, &argv, /*remove_flags=*/true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  if (argc < 2) return zegclip::tools::Commands()[0].run(command_line);
  const std::string name = argv[1];
  for (int i = 2; i < argc; ++i) command_line.positional.emplace_back(argv[i]);
  for (const Command& command : zegclip::tools::Commands()) {
    if (name == command.name) return command.run(command_line);
  }
  std::string known;
  for (const Command& command : zegclip::tools::Commands()) known += (known.empty() ? "" : ", ") + std::string(command.name);
  std::cerr << "zegclip: unknown command '" << name << "' (known commands: " << known << ")\n";
  return 2;
}
