// `zegclip export-authors`: a ZegCLIP trained here as the authors' mmseg checkpoint, for their test.py / train.py.
//
//   zegclip export-authors --checkpoint=runs/q/zegclip/iter_300.ckpt --clip_checkpoint=runs/q/clip/clip.pt --out=ours.pth
//   python test.py <their config with the printed model = dict(...) merged in> ours.pth --eval mIoU
//
// The experiment is --config (with --set overrides), else the config.pbtxt of the checkpoint's run directory; the
// CLIP architecture is read off --clip_checkpoint (default: the experiment's model.clip.checkpoint). Writes --out atomically:
// {'state_dict': their names and shapes (model/authors_checkpoint.h, AuthorsStateDict), 'meta': {'CLASSES': the
// experiment's class names, provenance}}. Prints the tensor count (stderr) and, on stdout, the part of their config
// the shapes fix as Python (model = dict(...)). --input_resolution is their backbone's input_resolution (default: data.crop_size, the
// training crop their img_size is); --loss_classes their loss's num_classes (default: the trained classes: the seen
// ones in the inductive setting, all otherwise). Any failure is one "error: ..." line and exit status 1.
#include <gflags/gflags.h>

#include <iostream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/command.h"
#include "zegclip/engine/experiment_options.h"
#include "tools/flags.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/segmentor_builder.h"
#include "zegclip/config/class_split.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/model/authors_checkpoint.h"
#include "zegclip/model/zero_shot_setting.h"

DECLARE_string(checkpoint);  // eval_command.cc
DECLARE_string(clip);        // segment_command.cc
DECLARE_string(out);         // segment_command.cc
DEFINE_int32(input_resolution, 0,
             "export-authors: their backbone's input_resolution and head's img_size (default: data.crop_size)");
DEFINE_int32(loss_classes, 0,
             "export-authors: their loss's num_classes (default: the trained classes: seen if inductive, else all)");

namespace zegclip::tools {
namespace {

absl::Status CheckFlags() {
  if (FLAGS_checkpoint.empty() || FLAGS_out.empty()) {
    return absl::InvalidArgumentError("export-authors needs --checkpoint=CKPT (from `zegclip train`) and --out=F.pth");
  }
  if (FLAGS_input_resolution < 0 || FLAGS_loss_classes < 0) {
    return absl::InvalidArgumentError("--input_resolution and --loss_classes must be positive (0: the default)");
  }
  if (!engine::FileExists(FLAGS_checkpoint)) return absl::NotFoundError(absl::StrCat(FLAGS_checkpoint, ": no such file"));
  return absl::OkStatus();
}

absl::StatusOr<config::Experiment> Experiment(const CommandLine& command_line) {
  absl::StatusOr<std::string> path = FLAGS_config.empty() ? engine::RunConfigOf(FLAGS_checkpoint) : FLAGS_config;
  if (!path.ok()) return path.status();
  return config::LoadExperiment(*path, command_line.overrides);
}

model::AuthorsExportOptions ExportOptionsFrom(const config::Experiment& e) {
  model::AuthorsExportOptions o;
  o.input_resolution = FLAGS_input_resolution > 0 ? FLAGS_input_resolution : e.data().crop_size();
  o.loss_classes = FLAGS_loss_classes > 0 ? FLAGS_loss_classes : model::TrainedClasses(engine::ZeroShotSplitFrom(e)).numel();
  return o;
}

absl::Status Export(const CommandLine& command_line) {
  absl::Status flags = CheckFlags();
  if (!flags.ok()) return flags;
  absl::StatusOr<config::Experiment> e = Experiment(command_line);
  if (!e.ok()) return e.status();
  const std::string clip = FLAGS_clip_checkpoint.empty() ? e->model().clip().checkpoint() : FLAGS_clip_checkpoint;
  absl::StatusOr<model::ZegClipSegmentor> model = engine::BuildSegmentor(
      *e, {.checkpoint = FLAGS_checkpoint, .clip_checkpoint = clip});
  if (!model.ok()) return model.status();
  const model::AuthorsExportOptions options = ExportOptionsFrom(*e);
  absl::StatusOr<base::TensorMap> state = model::AuthorsStateDict(**model, options);
  if (!state.ok()) return absl::InvalidArgumentError(absl::StrCat(FLAGS_checkpoint, ": ", state.status().message()));
  const std::map<std::string, std::string> meta = {{"exported_from", FLAGS_checkpoint},
                                                   {"clip", clip},
                                                   {"experiment", e->name()},
                                                   {"exported_by", "zegclip export-authors"}};
  absl::StatusOr<config::ClassSplit> classes = config::ResolveClassSplit(e->data());
  if (!classes.ok()) return classes.status();
  absl::Status written = model::WriteAuthorsCheckpoint(*state, classes->names, meta, FLAGS_out);
  if (!written.ok()) return written;
  int64_t values = 0;
  for (const auto& [key, tensor] : *state) values += tensor.numel();
  // The summary on stderr, the config text alone on stdout (so `> F.py` captures valid Python).
  std::cerr << FLAGS_out << ": " << state->size() << " tensors, " << values << " values in the authors' names\n";
  std::cout << "# " << FLAGS_out << " (zegclip export-authors): their config must agree with these shapes\n"
            << model::AuthorsConfigSnippet((*model)->options(), options);
  return absl::OkStatus();
}

}  // namespace

int RunExportAuthors(const CommandLine& command_line) {
  absl::Status s = Export(command_line);
  if (s.ok()) return 0;
  std::cerr << "error: " << s.message() << "\n";
  return 1;
}

}  // namespace zegclip::tools
