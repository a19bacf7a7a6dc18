#include "zegclip/engine/authors_export.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "zegclip/config/class_split.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/segmentor_builder.h"
#include "zegclip/model/authors_checkpoint.h"
#include "zegclip/model/zero_shot_setting.h"

namespace zegclip::engine {

absl::StatusOr<AuthorsExport> ExportAuthorsCheckpoint(const config::Experiment& e, const AuthorsExportOptions& o) {
  const std::string clip = o.clip_checkpoint.empty() ? e.model().clip().checkpoint() : o.clip_checkpoint;
  absl::StatusOr<model::ZegClipSegmentor> model =
      BuildSegmentor(e, {.checkpoint = o.checkpoint, .clip_checkpoint = clip});
  if (!model.ok()) return model.status();
  model::AuthorsExportOptions theirs;
  theirs.input_resolution = o.input_resolution > 0 ? o.input_resolution : e.data().crop_size();
  theirs.loss_classes = o.loss_classes > 0 ? o.loss_classes : model::TrainedClasses(ZeroShotSplitFrom(e)).numel();
  absl::StatusOr<base::TensorMap> state = model::AuthorsStateDict(**model, theirs);
  if (!state.ok()) return absl::InvalidArgumentError(absl::StrCat(o.checkpoint, ": ", state.status().message()));
  const std::map<std::string, std::string> meta = {{"exported_from", o.checkpoint},
                                                   {"clip", clip},
                                                   {"experiment", e.name()},
                                                   {"exported_by", "zegclip export-authors"}};
  absl::StatusOr<config::ClassSplit> classes = config::ResolveClassSplit(e.data());
  if (!classes.ok()) return classes.status();
  if (absl::Status s = model::WriteAuthorsCheckpoint(*state, classes->names, meta, o.out); !s.ok()) return s;
  AuthorsExport result;
  result.tensors = static_cast<int64_t>(state->size());
  for (const auto& [key, tensor] : *state) result.values += tensor.numel();
  result.config_snippet = model::AuthorsConfigSnippet((*model)->options(), theirs);
  return result;
}

}  // namespace zegclip::engine
