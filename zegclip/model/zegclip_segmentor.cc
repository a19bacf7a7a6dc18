#include "zegclip/model/zegclip_segmentor.h"

#include <torch/autograd.h>
#include <torch/nn/functional/upsampling.h>

#include "zegclip/clip/class_embeddings.h"

namespace zegclip::model {

ZegClipSegmentorImpl::ZegClipSegmentorImpl(const SegmentorOptions& options) : options_(options) {
  TORCH_CHECK(options.decoder.width == options.clip.embed_dim,
              "decoder width (", options.decoder.width, ") must equal the CLIP embedding width (",
              options.clip.embed_dim, ")");
  clip = register_module("clip", clip::ClipModel(options.clip, options.prompt));
  if (options.relationship_descriptor) {
    rd = register_module("rd", heads::RelationshipDescriptor(heads::RelationshipDescriptorOptions{options.clip.embed_dim}));
  }
  decoder = register_module("decoder", heads::TextQueryDecoder(options.decoder));
}

std::vector<at::Tensor> ZegClipSegmentorImpl::forward(const at::Tensor& images, const at::Tensor& text) {
  TORCH_CHECK(text.dim() == 2 && text.size(1) == options_.clip.embed_dim, "text must be (C, ",
              options_.clip.embed_dim, ")");
  clip::VisionOutput dense = clip->visual->ForwardDense(images);
  at::Tensor queries = rd ? rd->forward(dense.global, text) : heads::TextOnlyQueries(text, images.size(0));
  return decoder->forward(queries, dense.patches, dense.grid_h, dense.grid_w);
}

at::Tensor ZegClipSegmentorImpl::Logits(const at::Tensor& images, const at::Tensor& text) {
  return UpsampleLogits(forward(images, text).back(), images.size(2), images.size(3));
}

at::Tensor ZegClipSegmentorImpl::EmbedClasses(const clip::BpeTokenizer& tokenizer,
                                              const std::vector<std::string>& names,
                                              const std::vector<std::string>& templates) {
  absl::StatusOr<at::Tensor> embeddings = clip::EmbedClassNames(*clip, tokenizer, names, templates);
  TORCH_CHECK(embeddings.ok(), embeddings.status().message());
  return *embeddings;
}

std::vector<at::Tensor> ZegClipSegmentorImpl::HeadParameters() const {
  std::vector<at::Tensor> params;
  std::vector<std::shared_ptr<torch::nn::Module>> modules = {decoder.ptr()};
  if (rd) modules.push_back(rd.ptr());
  for (const auto& module : modules) {
    for (const at::Tensor& p : module->parameters()) {
      if (p.requires_grad()) params.push_back(p);
    }
  }
  return params;
}

std::vector<at::Tensor> ZegClipSegmentorImpl::EncoderTrainableParameters() const {
  return clip->VisualTrainableParameters();
}

at::Tensor UpsampleLogits(const at::Tensor& logits, int64_t height, int64_t width) {
  if (logits.size(2) == height && logits.size(3) == width) return logits;
  namespace F = torch::nn::functional;
  return F::interpolate(logits, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{height, width})
                                    .mode(torch::kBilinear)
                                    .align_corners(false));
}

}  // namespace zegclip::model
