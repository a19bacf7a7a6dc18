// Sets which CLIP parameters train for an encoder mode (the ablation's design 1). The text tower and
// logit_scale are always frozen (ZegCLIP trains no text weights).
//
//   kDeepPrompt / kShallowPrompt: only the prompt parameters (the model must have been built with that mode).
//   kFrozen: nothing.   kFinetune: every `visual.*` parameter (prompts included, if the model has them).
//
// Example:
//   ClipModel model(options, PromptOptions{EncoderMode::kDeepPrompt});
//   ApplyEncoderMode(*model, EncoderMode::kDeepPrompt);
//   optimizer_params = model->VisualTrainableParameters();
#ifndef ZEGCLIP_CLIP_ENCODER_MODE_H_
#define ZEGCLIP_CLIP_ENCODER_MODE_H_

#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/prompt_options.h"

namespace zegclip::clip {

// TORCH_CHECKs that a prompt mode matches the prompts the model was built with.
void ApplyEncoderMode(ClipModelImpl& model, EncoderMode mode);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_ENCODER_MODE_H_
