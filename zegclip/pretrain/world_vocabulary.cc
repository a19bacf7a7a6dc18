#include "zegclip/pretrain/world_vocabulary.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "data/sample_rng.h"
#include "data/synthetic_world.h"
#include "zegclip/clip/bpe_learner.h"

namespace zegclip::pretrain {
namespace {

// Enough merges for every word of a small world to become a single token (the learner stops earlier when done).
constexpr int64_t kMaxWorldMerges = 4096;

}  // namespace

std::vector<std::string> WorldCorpus(const std::vector<int64_t>& compositions,
                                     const std::vector<std::string>& templates) {
  std::vector<std::string> corpus;
  const int64_t n = static_cast<int64_t>(compositions.size());
  auto at = [&](int64_t i) { return compositions[i % n]; };
  for (int64_t a = 0; a < n; ++a) {
    corpus.push_back(data::SyntheticCaption({at(a)}));
    corpus.push_back(data::SyntheticCaption({at(a), at(a + 1)}));
    corpus.push_back(data::SyntheticCaption({at(a), at(a + 7), at(a + 14)}));
    // Varied phrasings of the same shapes (a fixed stream: the vocabulary must not depend on any run's seed).
    data::SampleRng phrasing(static_cast<uint64_t>(a));
    for (int64_t objects = 1; objects <= 3; ++objects) {
      std::vector<int64_t> ids;
      for (int64_t k = 0; k < objects; ++k) ids.push_back(at(a + 7 * k));
      corpus.push_back(data::PhrasedSyntheticCaption(ids, phrasing));
    }
    for (const std::string& pattern : templates) {
      corpus.push_back(absl::StrReplaceAll(pattern, {{"{}", data::SyntheticClassName(at(a))}}));
    }
  }
  // Every word a phrasing can use appears at least once, whatever the draws above chose.
  corpus.push_back(absl::StrJoin(data::SyntheticCaptionWords(compositions), " "));
  return corpus;
}

absl::Status WriteWorldVocabulary(const std::string& path, const std::vector<int64_t>& compositions,
                                  const std::vector<std::string>& templates) {
  return clip::WriteMergesFile(path, WorldCorpus(compositions, templates), kMaxWorldMerges);
}

}  // namespace zegclip::pretrain
