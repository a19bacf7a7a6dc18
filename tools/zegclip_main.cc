// zegclip — one binary, subcommands: `zegclip help` lists them.
#include <c10/util/Exception.h>
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "tools/command.h"
#include "zegclip/engine/host_tuning.h"

namespace zegclip::tools {
namespace {

int RunHelp(const CommandLine&);

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"help", "", "list the subcommands", RunHelp},
      {"validate-config", "--config=F [--set=FIELD=VALUE ...] [--nocheck_files]",
       "check an experiment file (and the splits and checkpoints it names, as train does) and print it resolved",
       RunValidateConfig},
      {"summary", "--config=F [--set=FIELD=VALUE ...]",
       "the segmentor's parameters per module: total, learnable, frozen, and learnable as the paper counts them",
       RunSummary},
      {"pretrain-clip", "--config=F --work_dir=D [--profile_out=P] [--set ...]",
       "contrastive pre-training of a small CLIP on the synthetic world; retrieval accuracy seen/unseen",
       RunPretrainClip},
      {"train", "--config=F --work_dir=D [--profile_out=P] [--set ...]", "train ZegCLIP (resumes from D), evaluate, write the report",
       RunTrain},
      {"eval", "--config=F --checkpoint=C|baseline|--authors_checkpoint=T --work_dir=D [--set ...]",
       "evaluate a checkpoint (ours, the authors', or the training-free baseline): eval.json, table, report", RunEval},
      {"quickstart", "[--config=F] [--work_dir=D] [--force]",
       "the whole experiment in the synthetic world: pre-train CLIP, baseline, train, evaluate, report",
       RunQuickstart},
      {"sweep", "--sweep=F --work_dir=D [--set ...]",
       "train every point of a sweep file into D/<point>/ (skipping finished ones) and write the table D/sweep.md",
       RunSweep},
      {"segment",
       "--checkpoint=C --clip_checkpoint=PT | --authors_checkpoint=T --config=F, --image=F --classes=\"a,b\" --out=D "
       "[--config=F] [--seen_classes=a,b] [--scores_out=S.npy] [--bpe_vocab=F] [--max_pixels=N] [--max_scores=N]",
       "open-vocabulary segmentation of one image with class names given now: label PNG, overlay, fractions",
       RunSegment},
      {"export-authors",
       "--checkpoint=C --out=F.pth [--clip_checkpoint=PT] [--config=F] [--input_resolution=N] [--loss_classes=N] [--set ...]",
       "a checkpoint of ours as the authors' mmseg checkpoint (their names and shapes, loads with strict=True)",
       RunExportAuthors},
      {"tokenize", "--text=STR ... [--bpe_vocab=F] [--context_length=77] [--truncate]",
       "print OpenAI's 77 BPE token ids of each text on one line (SOT first, zero-padded)", RunTokenize},
      {"clip-encode",
       "--clip_checkpoint=PT [--image=F ...] [--text=STR ...] [--out_image=X.npy] [--out_text=Y.npy] [--bpe_vocab=F]",
       "CLIP image/text embeddings (L2-normalised, .npy), the image-text cosine matrix and zero-shot probabilities",
       RunClipEncode},
      {"text-embed", "--clip_checkpoint=PT --classes=a,b,c|@FILE --templates=single|imagenet|...|@FILE --out=E.npy",
       "class embeddings averaged over prompt templates, written as a float32 (C, D) .npy", RunTextEmbed},
      {"make-synthetic", "--config=F --out=D [--set ...]",
       "write the experiment's synthetic world to D in the PASCAL VOC layout (train/val sizes: data.synthetic)",
       RunMakeSynthetic},
      {"check-data", "--config=F [--set ...]",
       "check every image/label of data.root's train and val splits: list each bad file, class-pixel histogram",
       RunCheckData},
      {"report", "--work_dir=D", "regenerate D/report.md and D/report.html from the run's files", RunReport},
      {"compare", "--runs=A,B",
       "two run directories side by side: metrics (B - A), per-class IoU moves, config diff, commit and machine",
       RunCompare},
      {"version", "", "print the versions of zegclip and the libraries it was built with", RunVersion},
  };
  return commands;
}

int RunHelp(const CommandLine&) {
  std::cout << "usage: zegclip <command> [flags]\n\ncommands:\n";
  for (const Command& c : Commands()) {
    std::cout << "  " << c.name << " " << c.usage << "\n      " << c.summary << "\n";
  }
  std::cout << "\n--set=FIELD.PATH=VALUE (repeatable) overrides a field of the experiment file.\n"
            << "--text=STR and --image=FILE are repeatable for tokenize and clip-encode (values kept in order).\n";
  return 0;
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// Last resort, not a substitute for the commands' own checks: an exception that escaped a command (a library
// throwing where nobody expected it) becomes one "error:" line and exit status 1 instead of std::terminate's abort
// and, for c10::Error, a C++ backtrace.
int RunGuarded(const Command& command, const CommandLine& command_line) {
  try {
    return command.run(command_line);
  } catch (const c10::Error& e) {
    std::cerr << "error: " << command.name << ": " << FirstLine(e.what_without_backtrace()) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << command.name << ": " << FirstLine(e.what()) << "\n";
  } catch (...) {
    std::cerr << "error: " << command.name << ": an unknown exception\n";
  }
  return 1;
}

}  // namespace
}  // namespace zegclip::tools

int main(int argc, char** argv) {
  using zegclip::tools::Command;
  using zegclip::tools::CommandLine;
  zegclip::engine::TuneHost(argv);  // OpenMP waits and malloc: engine/host_tuning.h
  // Under `bazel run` the process starts in the runfiles tree; relative paths the user typed mean their own folder.
  if (const char* dir = std::getenv("BUILD_WORKING_DIRECTORY"); dir != nullptr && chdir(dir) != 0) {
    std::cerr << "zegclip: cannot enter the working directory " << dir << "\n";
    return 2;
  }
  CommandLine command_line = zegclip::tools::TakeCommandLine(&argc, argv);  // before gflags: repeated flags
  gflags::SetUsageMessage("zegclip <command> [flags]; `zegclip help` lists the commands");
  gflags::ParseCommandLineFlags(&argc, &argv, /*remove_flags=*/true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  if (argc < 2) return zegclip::tools::Commands()[0].run(command_line);
  const std::string name = argv[1];
  for (int i = 2; i < argc; ++i) command_line.positional.emplace_back(argv[i]);
  for (const Command& command : zegclip::tools::Commands()) {
    if (name == command.name) return zegclip::tools::RunGuarded(command, command_line);
  }
  std::string known;
  for (const Command& command : zegclip::tools::Commands()) known += (known.empty() ? "" : ", ") + std::string(command.name);
  std::cerr << "zegclip: unknown command '" << name << "' (known commands: " << known << ")\n";
  return 2;
}
