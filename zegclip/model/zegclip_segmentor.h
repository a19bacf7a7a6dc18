// The ZegCLIP segmentor: CLIP's image encoder (frozen / fine-tuned / prompt-tuned), class queries (text embeddings
// or the relationship descriptor), and the text-query decoder whose attention scores are the mask logits.
//
// Submodules: `clip` (OpenAI names below it: clip.visual.*, clip.transformer.*, ...), `rd` (only with the
// relationship descriptor), `decoder`.
//
// Example:
//   ZegClipSegmentor model(options);
//   LoadClipWeights("ViT-B-16.pt", *model->clip);            // from zegclip/clip/clip_checkpoint.h
//   ApplyEncoderMode(*model->clip, options.prompt.mode);
//   at::Tensor text = model->EmbedClasses(tokenizer, names, {"a photo of a {}."});   // (C, 512), unit rows
//   std::vector<at::Tensor> masks = model->forward(images, text);                    // per layer (B, C, 32, 32)
//   at::Tensor logits = model->Logits(images, text);                                 // (B, C, 512, 512)
#ifndef ZEGCLIP_MODEL_ZEGCLIP_SEGMENTOR_H_
#define ZEGCLIP_MODEL_ZEGCLIP_SEGMENTOR_H_

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/clip_options.h"
#include "zegclip/clip/prompt_options.h"
#include "zegclip/heads/relationship_descriptor.h"
#include "zegclip/heads/text_query_decoder.h"

namespace zegclip::model {

struct SegmentorOptions {
  clip::ClipOptions clip;
  clip::PromptOptions prompt;
  heads::TextQueryDecoderOptions decoder;
  bool relationship_descriptor = true;  // design 3; false = the text embeddings are the queries
};

class ZegClipSegmentorImpl : public torch::nn::Module {
 public:
  explicit ZegClipSegmentorImpl(const SegmentorOptions& options);

  // images (B, 3, H, W), H and W multiples of the patch size; text (C, D) unit-length class embeddings.
  // Returns every decoder layer's mask logits (B, C, H/patch, W/patch); back() is the prediction.
  std::vector<at::Tensor> forward(const at::Tensor& images, const at::Tensor& text);
  // The prediction's logits bilinearly upsampled (align_corners = false) to the input size: (B, C, H, W).
  at::Tensor Logits(const at::Tensor& images, const at::Tensor& text);

  // Class embeddings from the frozen text encoder: per class the mean over templates ("{}" → name) of the
  // L2-normalised text embeddings, re-normalised. (C, D), no gradient.
  at::Tensor EmbedClasses(const clip::BpeTokenizer& tokenizer, const std::vector<std::string>& names,
                          const std::vector<std::string>& templates);

  // Trainable parameters of the head (rd + decoder) and of the image encoder (what the encoder mode unfroze).
  std::vector<at::Tensor> HeadParameters() const;
  std::vector<at::Tensor> EncoderTrainableParameters() const;

  const SegmentorOptions& options() const { return options_; }

  clip::ClipModel clip{nullptr};
  heads::RelationshipDescriptor rd{nullptr};
  heads::TextQueryDecoder decoder{nullptr};

 private:
  SegmentorOptions options_;
};
TORCH_MODULE(ZegClipSegmentor);

// Upsamples mask logits (B, C, h, w) to (height, width), bilinear, align_corners = false (mmseg's resize).
at::Tensor UpsampleLogits(const at::Tensor& logits, int64_t height, int64_t width);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_ZEGCLIP_SEGMENTOR_H_
