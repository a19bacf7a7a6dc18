// The synthetic world's text corpus and its small BPE vocabulary (OpenAI's file format and code path, far fewer
// merges: every word of the world becomes one token, so a tiny text encoder need not learn spelling).
//
// Example:
//   std::vector<int64_t> compositions = data::SyntheticLabelCompositions(world_options);   // the base 36: 0..35
//   absl::Status s = WriteWorldVocabulary(work_dir + "/world_bpe.txt.gz", compositions, {"a {} object."});
//   BpeTokenizerOptions options{work_dir + "/world_bpe.txt.gz"};
#ifndef ZEGCLIP_PRETRAIN_WORLD_VOCABULARY_H_
#define ZEGCLIP_PRETRAIN_WORLD_VOCABULARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::pretrain {

// Every caption shape the world produces (one, two and three objects, canonical and varied phrasings) over the
// given compositions (class_catalog.h ids, the world's classes in label order), every phrasing word, plus each
// composition's name put into each prompt template ("{}" → name).
std::vector<std::string> WorldCorpus(const std::vector<int64_t>& compositions,
                                     const std::vector<std::string>& templates);

// Learns the merges of WorldCorpus(compositions, templates) and writes them atomically to `path` (.gz → compressed).
absl::Status WriteWorldVocabulary(const std::string& path, const std::vector<int64_t>& compositions,
                                  const std::vector<std::string>& templates);

}  // namespace zegclip::pretrain

#endif  // ZEGCLIP_PRETRAIN_WORLD_VOCABULARY_H_
