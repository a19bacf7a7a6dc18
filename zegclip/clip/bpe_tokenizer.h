// OpenAI CLIP's byte-level BPE tokenizer (clip/simple_tokenizer.py + clip.tokenize), ids identical to OpenAI's.
//
// Vocabulary layout (OpenAI's): the 256 byte stand-ins in bytes_to_unicode() order, the same 256 with "</w>", one
// token per merge (first `max_merges` merge lines after the header), then <|startoftext|> and <|endoftext|>
// (49406 / 49407 for OpenAI's bpe_simple_vocab_16e6.txt.gz; 512 + merges and one more for a smaller file, e.g. one
// written by bpe_learner.h). Text cleaning and its deviations from OpenAI (no ftfy) are in text_cleaning.h.
//
// Example:
//   BpeTokenizerOptions options;
//   options.merges_path = "third_party/clip/bpe_simple_vocab_16e6.txt.gz";
//   absl::StatusOr<BpeTokenizer> tok = BpeTokenizer::Load(options);
//   absl::StatusOr<at::Tensor> ids = tok->Tokenize({"a photo of a cat."}, /*context_length=*/77);
//   // (*ids)[0] = [49406, 320, 1125, 539, 320, 2368, 269, 49407, 0, ...]
//
// Copies share the immutable vocabulary and the merge cache; every const method is thread-safe.
#ifndef ZEGCLIP_CLIP_BPE_TOKENIZER_H_
#define ZEGCLIP_CLIP_BPE_TOKENIZER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "absl/status/statusor.h"

namespace zegclip::clip {

// The longest context Tokenize fills: each text takes a row of this many int64 ids, so an unbounded length would
// allocate (and a command print) gigabytes. OpenAI's CLIP uses 77; every released CLIP text tower is far below it.
inline constexpr int64_t kMaxContextLength = 1024;

struct BpeTokenizerOptions {
  // OpenAI-format merges file: a header line, then one "a b" merge per line; gzip-compressed or plain text.
  std::string merges_path;
  // Merge lines used after the header (OpenAI: 49152 - 256 - 2). A file with fewer lines uses all of them.
  int64_t max_merges = 48894;
};

// OpenAI's bytes_to_unicode(): entry i is the byte whose printable stand-in is vocabulary token i (i < 256).
const std::array<uint8_t, 256>& ByteVocabularyOrder();
// The UTF-8 spelling of the stand-in character for each byte value (index = byte value).
const std::array<std::string, 256>& ByteToUnicode();

class BpeTokenizer {
 public:
  // Reads the merges file (gzip or plain). Errors name the file: missing, unreadable or corrupt file, invalid UTF-8,
  // a merge line without exactly two symbols, or a merge of symbols that are not vocabulary tokens.
  // Deviation from OpenAI's loader: blank lines at the end of the file are ignored (Python would add an empty-string
  // token per blank line that falls inside the first max_merges lines).
  static absl::StatusOr<BpeTokenizer> Load(const BpeTokenizerOptions& options);

  // SimpleTokenizer.encode: cleaned, pre-tokenised, byte-level BPE; no <|startoftext|> / <|endoftext|> added (but a
  // literal "<|startoftext|>" in the text becomes that special id, as in OpenAI's tokenizer).
  // InvalidArgument for text that is not valid UTF-8.
  absl::StatusOr<std::vector<int64_t>> Encode(const std::string& utf8) const;

  // SimpleTokenizer.decode: the tokens' bytes decoded as UTF-8 with U+FFFD replacement, "</w>" -> " ".
  // Ids outside [0, vocab_size()) decode to U+FFFD (OpenAI's raises KeyError).
  std::string Decode(const std::vector<int64_t>& ids) const;

  // clip.tokenize: int64 (N, context_length) rows [sot, ids..., eot, 0...]. A text needing more than
  // context_length tokens is an error naming it, unless `truncate`, which keeps the first context_length tokens
  // and makes the last one eot. context_length must be in [2, kMaxContextLength].
  absl::StatusOr<at::Tensor> Tokenize(const std::vector<std::string>& texts, int64_t context_length,
                                      bool truncate = false) const;

  int64_t sot_id() const;
  int64_t eot_id() const;
  int64_t vocab_size() const;
  int64_t num_merges() const;
  // The vocabulary string of `id` (byte stand-ins, e.g. "photo</w>"); "" when out of range.
  const std::string& token(int64_t id) const;

 private:
  struct Vocabulary;
  struct MergeCache;

  BpeTokenizer(std::shared_ptr<const Vocabulary> vocab, std::shared_ptr<MergeCache> cache);

  // Token ids of one pre-token (its raw UTF-8 bytes), through the cache.
  void AppendPieceIds(const std::string& piece, std::vector<int64_t>* ids) const;

  std::shared_ptr<const Vocabulary> vocab_;
  std::shared_ptr<MergeCache> cache_;
};

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_BPE_TOKENIZER_H_
