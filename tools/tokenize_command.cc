// `zegclip tokenize --text="a photo of a cat." [--text=...] [--context_length=77] [--truncate] [--bpe_vocab=F]`:
// OpenAI's BPE token ids of each text on one line (SOT first, zero-padded to the context).
#include <gflags/gflags.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/command.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/engine/clip_encoding.h"

// --text is repeatable (zegclip_main.cc collects every value); --bpe_vocab is defined beside segment.
DECLARE_string(bpe_vocab);
DEFINE_string(text, "", "tokenize / clip-encode: a text; repeat the flag for several (--text=a --text=b)");
DEFINE_int32(context_length, 77, "tokenize: token ids per text (OpenAI: 77)");
DEFINE_bool(truncate, false,
            "tokenize / clip-encode: cut texts longer than the context instead of failing (OpenAI's "
            "truncate=True)");

namespace zegclip::tools {

int RunTokenize(const CommandLine& command_line) {
  const std::vector<std::string> texts = command_line.Values("text");
  if (texts.empty()) return UsageError("tokenize", "give at least one --text=STRING (repeatable)");
  if (FLAGS_context_length < 2) return UsageError("tokenize", "--context_length must be at least 2");
  if (FLAGS_context_length > clip::kMaxContextLength) {
    return UsageError("tokenize", absl::StrCat("--context_length=", FLAGS_context_length, " is above the limit of ",
                                               clip::kMaxContextLength, " (OpenAI's CLIP: 77)"));
  }
  if (std::string p = PositionalProblem(command_line); !p.empty()) return UsageError("tokenize", p);
  absl::StatusOr<clip::BpeTokenizer> tokenizer = engine::LoadTokenizerOrDefault(FLAGS_bpe_vocab);
  if (!tokenizer.ok()) return RuntimeError(tokenizer.status());
  absl::StatusOr<at::Tensor> ids = tokenizer->Tokenize(texts, FLAGS_context_length, FLAGS_truncate);
  if (!ids.ok()) return RuntimeError(ids.status());
  for (int64_t row = 0; row < ids->size(0); ++row) {
    const at::Tensor r = (*ids)[row].contiguous();
    const int64_t* data = r.data_ptr<int64_t>();
    std::cout << absl::StrJoin(data, data + r.numel(), " ") << "\n";
  }
  return 0;
}

}  // namespace zegclip::tools
