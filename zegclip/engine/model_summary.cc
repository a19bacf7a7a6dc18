#include "zegclip/engine/model_summary.h"

#include <c10/util/Exception.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "zegclip/clip/encoder_mode.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/model/zegclip_segmentor.h"

namespace zegclip::engine {

absl::StatusOr<model::ParameterSummary> SummarizeExperiment(const config::Experiment& experiment) {
  const model::SegmentorOptions options =
      SegmentorOptionsFrom(experiment.model(), ClipOptionsFrom(experiment.model().clip()));
  try {
    model::ZegClipSegmentor segmentor(options);
    clip::ApplyEncoderMode(*segmentor->clip, options.prompt.mode);
    return model::SummarizeParameters(*segmentor);
  } catch (const c10::Error& e) {
    // The config validator rejects impossible shapes; this is what it cannot see (e.g. a width heads do not divide).
    return absl::InvalidArgumentError(absl::StrCat("model: cannot build the segmentor: ", e.what_without_backtrace()));
  }
}

}  // namespace zegclip::engine
