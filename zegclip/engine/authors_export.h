// `zegclip export-authors`'s library half: a ZegCLIP trained here as the authors' mmseg checkpoint
// ({'state_dict': their names and shapes, 'meta': {'CLASSES': ..., provenance}}: model/authors_checkpoint.h).
//
// Example:
//   absl::StatusOr<AuthorsExport> r = ExportAuthorsCheckpoint(experiment, {"runs/q/zegclip/iter_300.ckpt",
//                                                             "runs/q/clip/clip.pt", "ours.pth"});
//   std::cout << r->config_snippet;   // model = dict(...) for their config
#ifndef ZEGCLIP_ENGINE_AUTHORS_EXPORT_H_
#define ZEGCLIP_ENGINE_AUTHORS_EXPORT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"

namespace zegclip::engine {

struct AuthorsExportOptions {
  std::string checkpoint;       // written by `zegclip train`
  std::string clip_checkpoint;  // its CLIP (the architecture is read off it); "" = the experiment's model.clip
  std::string out;              // the .pth to write (atomically)
  int64_t input_resolution = 0;  // their backbone's input_resolution; 0 = data.crop_size (their img_size)
  int64_t loss_classes = 0;      // their loss's num_classes; 0 = the trained classes (seen if inductive, else all)
};

struct AuthorsExport {
  int64_t tensors = 0;
  int64_t values = 0;
  std::string config_snippet;  // the part of their config the shapes fix, as Python (model = dict(...))
};

// Errors name the checkpoint or the output file.
absl::StatusOr<AuthorsExport> ExportAuthorsCheckpoint(const config::Experiment& experiment,
                                                      const AuthorsExportOptions& options);

}  // namespace zegclip::engine

#endif  // ZEGCLIP_ENGINE_AUTHORS_EXPORT_H_
