#include "zegclip/clip/class_embeddings.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "zegclip/base/npy_io.h"
#include "zegclip/clip/prompt_templates.h"

namespace zegclip::clip {
namespace {

std::string ShapeText(const at::Tensor& t) {
  std::string s;
  for (int64_t d = 0; d < t.dim(); ++d) absl::StrAppend(&s, d == 0 ? "(" : ", ", t.size(d));
  return s + (t.dim() == 0 ? "()" : ")");
}

// Restores the module's training flag when the scope ends.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(torch::nn::Module& module) : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~EvalModeGuard() { module_.train(was_training_); }

 private:
  torch::nn::Module& module_;
  bool was_training_;
};

}  // namespace

absl::StatusOr<at::Tensor> EmbedClassNames(ClipModelImpl& model, const BpeTokenizer& tokenizer,
                                           const std::vector<std::string>& names,
                                           const std::vector<std::string>& templates, int64_t batch_size) {
  if (names.empty()) return absl::InvalidArgumentError("class embeddings: no class names given");
  if (templates.empty()) return absl::InvalidArgumentError("class embeddings: no templates given");
  if (tokenizer.vocab_size() > model.options().vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat("class embeddings: the BPE vocabulary has ", tokenizer.vocab_size(),
                                                   " tokens but the CLIP model only ", model.options().vocab_size,
                                                   " (a BPE file that does not belong to this checkpoint)"));
  }
  std::vector<std::string> prompts;  // template-major: prompts[t * C + c]
  for (const std::string& pattern : templates) {
    absl::Status valid = ValidateTemplate(pattern);
    if (!valid.ok()) return valid;
    for (const std::string& name : names) prompts.push_back(FillTemplate(pattern, name));
  }
  at::NoGradGuard no_grad;
  EvalModeGuard eval(model);
  const at::Device device = model.text_projection.device();
  std::vector<at::Tensor> chunks;
  for (size_t begin = 0; begin < prompts.size(); begin += static_cast<size_t>(std::max<int64_t>(1, batch_size))) {
    const size_t end = std::min(prompts.size(), begin + static_cast<size_t>(std::max<int64_t>(1, batch_size)));
    absl::StatusOr<at::Tensor> tokens =
        tokenizer.Tokenize({prompts.begin() + begin, prompts.begin() + end}, model.options().context_length);
    if (!tokens.ok()) return absl::InvalidArgumentError(absl::StrCat("class prompt: ", tokens.status().message()));
    at::Tensor embedding = model.EncodeText(tokens->to(device)).to(at::kFloat);
    chunks.push_back(embedding / embedding.norm(2, -1, /*keepdim=*/true));
  }
  const auto classes = static_cast<int64_t>(names.size());
  const auto count = static_cast<int64_t>(templates.size());
  at::Tensor mean = at::cat(chunks).view({count, classes, -1}).mean(0);
  return mean / mean.norm(2, -1, /*keepdim=*/true);
}

absl::StatusOr<at::Tensor> ReadClassEmbeddings(const std::string& path, int64_t classes, int64_t dim) {
  absl::StatusOr<at::Tensor> stored = base::ReadNpy(path);
  if (!stored.ok()) return stored.status();
  auto error = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat("class embeddings ", path, ": ", what));
  };
  const at::Tensor& t = *stored;
  const std::string expected =
      absl::StrCat("(", classes < 0 ? "C" : std::to_string(classes), ", ", dim < 0 ? "D" : std::to_string(dim), ")");
  if (t.dim() != 2) return error(absl::StrCat("shape ", ShapeText(t), ", expected ", expected));
  if ((classes >= 0 && t.size(0) != classes) || (dim >= 0 && t.size(1) != dim)) {
    return error(absl::StrCat("shape ", ShapeText(t), ", expected ", expected, " (classes x embedding width)"));
  }
  if (!at::isFloatingType(t.scalar_type())) {
    return error(absl::StrCat("dtype ", at::toString(t.scalar_type()), ", expected float32, float16 or float64"));
  }
  at::Tensor out = t.to(at::kFloat);
  if (!at::isfinite(out).all().item<bool>()) return error("holds NaN or infinite values");
  return out;
}

}  // namespace zegclip::clip
