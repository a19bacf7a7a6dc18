// How ZegCLIP adapts the CLIP image encoder (the ablation's design 1), and the prompt settings of the two
// prompt-tuning modes.
//
//   kDeepPrompt     deep visual prompt tuning (VPT-deep): n learnable tokens before block 0 and fresh ones before
//                   blocks 1..depth; CLIP weights frozen; trainable = prompts, prompt_proj, prompt_norm.
//   kShallowPrompt  only the n tokens before block 0 (VPT-shallow); trainable = prompt_embeddings, prompt_proj.
//   kFrozen         no prompts, nothing in the image encoder trains.
//   kFinetune       no prompts, every image-encoder weight trains.
//
// Example:
//   PromptOptions prompt{EncoderMode::kDeepPrompt, /*tokens=*/10, /*depth=*/11};
//   ClipModel model(ClipOptions::ViTB16(), prompt);
//   ApplyEncoderMode(*model, prompt.mode);
#ifndef ZEGCLIP_CLIP_PROMPT_OPTIONS_H_
#define ZEGCLIP_CLIP_PROMPT_OPTIONS_H_

#include <cstdint>

namespace zegclip::clip {

enum class EncoderMode { kDeepPrompt, kShallowPrompt, kFrozen, kFinetune };

inline bool UsesPrompts(EncoderMode mode) {
  return mode == EncoderMode::kDeepPrompt || mode == EncoderMode::kShallowPrompt;
}

inline const char* EncoderModeName(EncoderMode mode) {
  switch (mode) {
    case EncoderMode::kDeepPrompt:
      return "deep_prompt";
    case EncoderMode::kShallowPrompt:
      return "shallow_prompt";
    case EncoderMode::kFrozen:
      return "frozen";
    case EncoderMode::kFinetune:
      return "finetune";
  }
  return "unknown";
}

struct PromptOptions {
  // The default builds a plain CLIP (no prompt parameters), the right thing for import/export and pre-training.
  EncoderMode mode = EncoderMode::kFinetune;
  // Prompt tokens per layer (n): VOC 10, COCO 100.
  int64_t tokens = 10;
  // Deep mode: blocks 1..depth get fresh prompts (the authors' total_d_layer); 1 <= depth <= layers - 1.
  // Blocks after `depth` run without prompt tokens. Ignored by the other modes.
  int64_t depth = 11;
  // Dropout on every projected prompt, training only.
  double dropout = 0.1;
};

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_PROMPT_OPTIONS_H_
