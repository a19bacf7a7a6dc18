#include "zegclip/clip/encoder_mode.h"

#include <ATen/ATen.h>

namespace zegclip::clip {

void ApplyEncoderMode(ClipModelImpl& model, EncoderMode mode) {
  if (UsesPrompts(mode)) {
    TORCH_CHECK(model.prompt_options().mode == mode && model.visual->has_prompts(),
                "ApplyEncoderMode: mode ", EncoderModeName(mode), " needs a model built with that prompt mode, ",
                "but it was built with ", EncoderModeName(model.prompt_options().mode));
  }
  for (at::Tensor& p : model.parameters()) p.set_requires_grad(false);
  switch (mode) {
    case EncoderMode::kDeepPrompt:
    case EncoderMode::kShallowPrompt:
      for (at::Tensor& p : model.visual->PromptParameters()) p.set_requires_grad(true);
      break;
    case EncoderMode::kFrozen:
      break;
    case EncoderMode::kFinetune:
      for (at::Tensor& p : model.visual->parameters()) p.set_requires_grad(true);
      break;
  }
}

}  // namespace zegclip::clip
