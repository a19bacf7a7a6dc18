// How many parameters a ZegCLIP segmentor has, per top-level module and overall, total and learnable
// (requires_grad, so call it after ApplyEncoderMode), plus the count in the AUTHORS' convention: their decoder
// layers are nn.TransformerDecoderLayer, which carries a self-attention block and norm1 that the forward pass never
// uses but that still require grad — 4w² + 4w + 2w per layer, 1,051,648 at width 512. Their "13.8 M" (VOC, n = 10)
// and "14.6 M" (COCO, n = 100) are learnable + those.
//
// Example:
//   ZegClipSegmentor model(options);
//   clip::ApplyEncoderMode(*model->clip, options.prompt.mode);
//   ParameterSummary summary = SummarizeParameters(*model);
//   std::cout << FormatParameterSummary(summary);   // a table; summary.authors_learnable == 13,821,184 for VOC
#ifndef ZEGCLIP_MODEL_PARAMETER_SUMMARY_H_
#define ZEGCLIP_MODEL_PARAMETER_SUMMARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "zegclip/heads/text_query_decoder.h"
#include "zegclip/model/zegclip_segmentor.h"

namespace zegclip::model {

struct ModuleParameterCount {
  std::string module;  // "clip.visual", "clip.text", "rd", "decoder"
  int64_t total = 0;
  int64_t learnable = 0;
};

struct ParameterSummary {
  // clip.visual (image tower incl. prompts), clip.text (text tower + logit_scale), rd (only with the relationship
  // descriptor), decoder — in that order.
  std::vector<ModuleParameterCount> modules;
  int64_t total = 0;
  int64_t learnable = 0;
  // The decoder parameters the authors' model carries but never uses (AuthorsUnusedDecoderParameters).
  int64_t authors_unused = 0;
  int64_t authors_learnable = 0;  // learnable + authors_unused
};

ParameterSummary SummarizeParameters(const ZegClipSegmentorImpl& model);

// Per decoder: layers × (self_attn in_proj 3w² + 3w, out_proj w² + w, norm1 2w).
int64_t AuthorsUnusedDecoderParameters(const heads::TextQueryDecoderOptions& decoder);

// A fixed-width text table: one row per module, the overall row, and the authors' convention line.
std::string FormatParameterSummary(const ParameterSummary& summary);

}  // namespace zegclip::model

#endif  // ZEGCLIP_MODEL_PARAMETER_SUMMARY_H_
