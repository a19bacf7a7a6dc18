#include "zegclip/model/parameter_summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/match.h"

namespace zegclip::model {
namespace {

// The row a parameter's dotted name belongs to; the CLIP model's non-visual parameters form the text tower.
size_t RowOf(const std::string& name) {
  if (absl::StartsWith(name, "clip.visual.")) return 0;
  if (absl::StartsWith(name, "clip.")) return 1;
  if (absl::StartsWith(name, "rd.")) return 2;
  return 3;
}

// 1234567 -> "1,234,567".
std::string WithCommas(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

int64_t AuthorsUnusedDecoderParameters(const heads::TextQueryDecoderOptions& decoder) {
  const int64_t w = decoder.width;
  const int64_t self_attention = (3 * w * w + 3 * w) + (w * w + w);
  const int64_t norm1 = 2 * w;
  return decoder.layers * (self_attention + norm1);
}

ParameterSummary SummarizeParameters(const ZegClipSegmentorImpl& model) {
  ParameterSummary summary;
  summary.modules = {{"clip.visual"}, {"clip.text"}, {"rd"}, {"decoder"}};
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    ModuleParameterCount& row = summary.modules[RowOf(item.key())];
    const int64_t n = item.value().numel();
    row.total += n;
    if (item.value().requires_grad()) row.learnable += n;
  }
  // Without the relationship descriptor the model has no rd row at all (rather than a row of zeros).
  if (!model.rd) summary.modules.erase(summary.modules.begin() + 2);
  for (const ModuleParameterCount& row : summary.modules) {
    summary.total += row.total;
    summary.learnable += row.learnable;
  }
  summary.authors_unused = AuthorsUnusedDecoderParameters(model.options().decoder);
  summary.authors_learnable = summary.learnable + summary.authors_unused;
  return summary;
}

std::string FormatParameterSummary(const ParameterSummary& s) {
  std::string out = absl::StrFormat("%-12s %15s %15s %15s\n", "module", "total", "learnable", "frozen");
  for (const ModuleParameterCount& row : s.modules) {
    absl::StrAppendFormat(&out, "%-12s %15s %15s %15s\n", row.module, WithCommas(row.total), WithCommas(row.learnable),
                          WithCommas(row.total - row.learnable));
  }
  absl::StrAppendFormat(&out, "%-12s %15s %15s %15s\n", "all", WithCommas(s.total), WithCommas(s.learnable),
                        WithCommas(s.total - s.learnable));
  absl::StrAppendFormat(&out,
                        "authors' convention (learnable + the unused self-attention and norm1 of their decoder "
                        "layers, %s): %s (%.2f M)\n",
                        WithCommas(s.authors_unused), WithCommas(s.authors_learnable),
                        static_cast<double>(s.authors_learnable) / 1e6);
  return out;
}

}  // namespace zegclip::model
