#include "zegclip/pretrain/world_vocabulary.h"

#include "absl/strings/str_replace.h"
#include "data/synthetic_world.h"
#include "zegclip/clip/bpe_learner.h"

namespace zegclip::pretrain {
namespace {

// Enough merges for every word of a small world to become a single token (the learner stops earlier when done).
constexpr int64_t kMaxWorldMerges = 4096;

}  // namespace

std::vector<std::string> WorldCorpus(const std::vector<std::string>& templates) {
  std::vector<std::string> corpus;
  const int64_t classes = data::SyntheticClassCount();
  for (int64_t a = 0; a < classes; ++a) {
    corpus.push_back(data::SyntheticCaption({a}));
    corpus.push_back(data::SyntheticCaption({a, (a + 1) % classes}));
    corpus.push_back(data::SyntheticCaption({a, (a + 7) % classes, (a + 14) % classes}));
    for (const std::string& pattern : templates) {
      corpus.push_back(absl::StrReplaceAll(pattern, {{"{}", data::SyntheticClassName(a)}}));
    }
  }
  return corpus;
}

absl::Status WriteWorldVocabulary(const std::string& path, const std::vector<std::string>& templates) {
  return clip::WriteMergesFile(path, WorldCorpus(templates), kMaxWorldMerges);
}

}  // namespace zegclip::pretrain
