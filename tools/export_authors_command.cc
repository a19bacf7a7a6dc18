// `zegclip export-authors`: a ZegCLIP trained here as the authors' mmseg checkpoint, for their test.py / train.py.
//
//   zegclip export-authors --checkpoint=runs/q/zegclip/iter_300.ckpt --out=ours.pth
//       --clip_checkpoint=runs/q/clip/clip.pt
//   python test.py <their config with the printed model = dict(...) merged in> ours.pth --eval mIoU
//
// The experiment is --config (with --set overrides), else the config.pbtxt of the checkpoint's run directory; the
// CLIP architecture is read off --clip_checkpoint (default: the experiment's model.clip.checkpoint). Writes --out
// atomically (engine/authors_export.h). Prints the tensor count (stderr) and, on stdout, the part of their config the
// shapes fix as Python (model = dict(...)). Any failure is one "error: ..." line and exit status 1.
#include <gflags/gflags.h>

#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/command.h"
#include "tools/flags.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/authors_export.h"
#include "zegclip/engine/run_directory.h"

DECLARE_string(checkpoint);  // eval_command.cc
DECLARE_string(out);         // segment_command.cc
DEFINE_int32(input_resolution, 0,
             "export-authors: their backbone's input_resolution and head's img_size (default: data.crop_size)");
DEFINE_int32(loss_classes, 0,
             "export-authors: their loss's num_classes (default: the trained classes: seen if inductive, else all)");

namespace zegclip::tools {

int RunExportAuthors(const CommandLine& command_line) {
  if (FLAGS_checkpoint.empty() || FLAGS_out.empty()) {
    return RuntimeError(absl::InvalidArgumentError(
        "export-authors needs --checkpoint=CKPT (from `zegclip train`) and --out=F.pth"));
  }
  if (FLAGS_input_resolution < 0 || FLAGS_loss_classes < 0) {
    return RuntimeError(absl::InvalidArgumentError(
        "--input_resolution and --loss_classes must be positive (0: the default)"));
  }
  if (!engine::FileExists(FLAGS_checkpoint)) {
    return RuntimeError(absl::NotFoundError(absl::StrCat(FLAGS_checkpoint, ": no such file")));
  }
  absl::StatusOr<std::string> path = FLAGS_config.empty() ? engine::RunConfigOf(FLAGS_checkpoint) : FLAGS_config;
  if (!path.ok()) return RuntimeError(path.status());
  absl::StatusOr<config::Experiment> e = config::LoadExperiment(*path, command_line.overrides);
  if (!e.ok()) return RuntimeError(e.status());
  absl::StatusOr<engine::AuthorsExport> r = engine::ExportAuthorsCheckpoint(
      *e, {FLAGS_checkpoint, FLAGS_clip_checkpoint, FLAGS_out, FLAGS_input_resolution, FLAGS_loss_classes});
  if (!r.ok()) return RuntimeError(r.status());
  // The summary on stderr, the config text alone on stdout (so `> F.py` captures valid Python).
  std::cerr << FLAGS_out << ": " << r->tensors << " tensors, " << r->values << " values in the authors' names\n";
  std::cout << "# " << FLAGS_out << " (zegclip export-authors): their config must agree with these shapes\n"
            << r->config_snippet;
  return 0;
}

}  // namespace zegclip::tools
