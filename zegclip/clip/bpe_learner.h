// Learning a small BPE vocabulary in OpenAI CLIP's merges format, e.g. for the synthetic world's captions, so that
// a tiny CLIP text encoder gets a compact vocabulary that BpeTokenizer (bpe_tokenizer.h) loads unchanged.
//
// The corpus goes through the tokenizer's own cleaning and pre-tokenisation (text_cleaning.h); each pre-token
// becomes a word of byte stand-ins whose last symbol carries "</w>" (OpenAI's alphabet). Greedy BPE then merges
// the most frequent adjacent pair (counted over all word occurrences; ties broken by the smaller (left, right)
// spelling, so the output is deterministic) until max_merges merges exist or every word is a single symbol. With
// enough merges every corpus word therefore encodes as ONE token.
//
// Example:
//   absl::Status s = WriteMergesFile("/tmp/world_bpe.txt.gz", {"a red dotted object.", "a blue striped object."},
//                                    /*max_merges=*/1000);
//   BpeTokenizerOptions options;
//   options.merges_path = "/tmp/world_bpe.txt.gz";
//   absl::StatusOr<BpeTokenizer> tok = BpeTokenizer::Load(options);  // sot = 512 + merges, eot = sot + 1
#ifndef ZEGCLIP_CLIP_BPE_LEARNER_H_
#define ZEGCLIP_CLIP_BPE_LEARNER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::clip {

// One learned merge: the spellings (byte stand-ins, maybe ending in "</w>") of the left and right symbols.
using BpeMerge = std::pair<std::string, std::string>;

// The merges, in rank order. InvalidArgument for a corpus text that is not valid UTF-8 (naming its index) or a
// negative max_merges. Literal "<|startoftext|>" / "<|endoftext|>" pre-tokens are skipped (they are specials).
absl::StatusOr<std::vector<BpeMerge>> LearnBpeMerges(const std::vector<std::string>& corpus, int64_t max_merges);

// Learns the merges and writes "#version: 0.2" then one "left right" line per merge, gzip-compressed when `path`
// ends in ".gz". The last line has no trailing newline, so OpenAI's Python loader reads exactly these merges too.
// Atomic: written to a temporary file beside `path`, then renamed. Errors name `path`.
absl::Status WriteMergesFile(const std::string& path, const std::vector<std::string>& corpus, int64_t max_merges);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_BPE_LEARNER_H_
