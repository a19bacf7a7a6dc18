// Fuzz target: OpenAI's BPE tokenizer on arbitrary text, and the merges-file loader on arbitrary files.
// Input: byte 0 picks the mode (bit 7 set: the rest is a merges file) and, for text, the context length
// (2 + byte % 79) and truncation (bit 6); the rest is texts separated by '\n'.
// Invariants: Encode fails only on invalid UTF-8 (InvalidArgument) and yields ids inside the vocabulary; Tokenize
// rows are [sot, Encode(text)..., eot, 0...] (truncated: eot last); Decode takes any ids.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "absl/strings/str_split.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/testing/fuzz_input.h"

namespace {

using zegclip::clip::BpeTokenizer;
using zegclip::testing::FuzzBytes;

std::unique_ptr<BpeTokenizer> g_tokenizer;

void CheckRow(const BpeTokenizer& tok, const at::Tensor& row, const std::vector<int64_t>& ids, bool truncate) {
  const int64_t context = row.size(0);
  const int64_t* r = row.data_ptr<int64_t>();
  const int64_t n = static_cast<int64_t>(ids.size());
  const bool cut = n > context - 2;
  FUZZ_CHECK(!cut || truncate, "an over-long text accepted untruncated");
  const int64_t kept = cut ? context - 2 : n;
  FUZZ_CHECK(r[0] == tok.sot_id(), "a row not starting with <|startoftext|>");
  for (int64_t i = 0; i < kept; ++i) FUZZ_CHECK(r[1 + i] == ids[i], "a row differing from Encode");
  FUZZ_CHECK(r[1 + kept] == tok.eot_id(), "no <|endoftext|> after the text");
  for (int64_t i = 2 + kept; i < context; ++i) FUZZ_CHECK(r[i] == 0, "padding that is not 0");
}

void FuzzText(FuzzBytes& in, uint8_t mode) {
  const BpeTokenizer& tok = *g_tokenizer;
  const int64_t context = 2 + mode % 79;
  const bool truncate = (mode & 0x40) != 0;
  const std::vector<std::string> texts = absl::StrSplit(in.Rest(), '\n');
  std::vector<std::vector<int64_t>> encoded;
  bool all_valid = true;
  for (const std::string& text : texts) {
    absl::StatusOr<std::vector<int64_t>> ids = tok.Encode(text);
    if (!ids.ok()) {
      FUZZ_CHECK(absl::IsInvalidArgument(ids.status()), "Encode failed other than InvalidArgument");
      all_valid = false;
      continue;
    }
    for (int64_t id : *ids) FUZZ_CHECK(id >= 0 && id < tok.vocab_size(), "an id outside the vocabulary");
    (void)tok.Decode(*ids);
    encoded.push_back(*std::move(ids));
  }
  absl::StatusOr<at::Tensor> rows = tok.Tokenize(texts, context, truncate);
  if (!all_valid || !rows.ok()) return;
  FUZZ_CHECK(rows->size(0) == static_cast<int64_t>(texts.size()) && rows->size(1) == context, "wrong Tokenize shape");
  for (size_t i = 0; i < texts.size(); ++i) CheckRow(tok, (*rows)[i].contiguous(), encoded[i], truncate);
}

void FuzzMergesFile(FuzzBytes& in) {
  zegclip::clip::BpeTokenizerOptions options;
  options.merges_path = zegclip::testing::InputFile(in.Rest());
  options.max_merges = 64;
  absl::StatusOr<BpeTokenizer> tok = BpeTokenizer::Load(options);
  if (!tok.ok()) return;
  FUZZ_CHECK(tok->vocab_size() == 512 + tok->num_merges() + 2, "vocabulary size disagrees with the merges read");
  absl::StatusOr<std::vector<int64_t>> ids = tok->Encode("a photo of a cat.");
  FUZZ_CHECK(ids.ok(), "a loaded vocabulary cannot encode ASCII");
  for (int64_t id : *ids) FUZZ_CHECK(id >= 0 && id < tok->vocab_size(), "an id outside a loaded vocabulary");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  zegclip::clip::BpeTokenizerOptions options;
  options.merges_path = zegclip::testing::FindRunfile((*argv)[0], "third_party/clip/bpe_simple_vocab_16e6.txt.gz");
  absl::StatusOr<BpeTokenizer> tok = BpeTokenizer::Load(options);
  FUZZ_CHECK(tok.ok(), "cannot load OpenAI's vocabulary: " + std::string(tok.status().message()));
  g_tokenizer = std::make_unique<BpeTokenizer>(*std::move(tok));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzBytes in(data, size);
  const uint8_t mode = in.Byte();
  if ((mode & 0x80) != 0) {
    FuzzMergesFile(in);
  } else {
    FuzzText(in, mode);
  }
  return 0;
}
