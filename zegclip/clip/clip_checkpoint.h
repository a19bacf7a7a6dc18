// CLIP checkpoints as TorchScript archives with OpenAI's parameter names and nesting: reads OpenAI's released
// `ViT-B-16.pt` (fp16) and the archives SaveClipCheckpoint writes, so a self-pretrained CLIP loads exactly like
// the released one (also from Python: torch.jit.load(path).state_dict() has OpenAI's keys).
//
// Example:
//   absl::StatusOr<ClipOptions> options = InferClipOptions("ViT-B-16.pt");
//   if (!options.ok()) return options.status();
//   ClipModel model(*options, PromptOptions{EncoderMode::kDeepPrompt});
//   absl::Status loaded = LoadClipWeights("ViT-B-16.pt", *model);   // prompts stay initialised
//   absl::Status saved = SaveClipCheckpoint(*model, "run/clip_final.pt");
#ifndef ZEGCLIP_CLIP_CLIP_CHECKPOINT_H_
#define ZEGCLIP_CLIP_CLIP_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/clip_options.h"

namespace zegclip::clip {

// The architecture from the parameter shapes, as OpenAI's build_model: vision width and patch size from
// visual.conv1.weight, layers from the resblock count, image_resolution from visual.positional_embedding's grid,
// embed_dim from text_projection, context/vocab/text width from their tensors. Head counts are width / 64 as
// OpenAI's, unless the archive was written by SaveClipCheckpoint, which records them. Run-time switches keep their
// defaults. Errors: file missing or not a TorchScript archive, not a ViT CLIP, a key missing.
absl::StatusOr<ClipOptions> InferClipOptions(const std::string& path);

// Copies every tensor of the archive into the model's parameter of the same name, converted to the model's dtype
// (fp32). OpenAI's non-parameter entries `input_resolution`, `context_length`, `vocab_size` are ignored; prompt
// parameters the archive lacks keep their initialisation. Nothing is copied unless every name and shape matches;
// the error names the file and the first missing / unexpected / mis-shaped key (with both shapes).
absl::Status LoadClipWeights(const std::string& path, ClipModelImpl& model);

// Writes every parameter of the model under OpenAI's names as a TorchScript archive, atomically (a temporary file
// in the same folder, then rename). fp16 = true stores the tensors OpenAI's convert_weights halves (conv / linear /
// attention weights and biases, proj, text_projection) in half precision, the rest in fp32, like ViT-B-16.pt.
absl::Status SaveClipCheckpoint(const ClipModelImpl& model, const std::string& path, bool fp16 = false);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_CLIP_CHECKPOINT_H_
