// Greedy BPE merge learning in OpenAI CLIP's merges format (see bpe_learner.h).
#include "zegclip/clip/bpe_learner.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/clip/bpe_tokenizer.h"
#include "zegclip/clip/text_cleaning.h"

namespace zegclip::clip {
namespace {

class SymbolTable {
 public:
  int32_t Intern(const std::string& spelling) {
    auto [it, inserted] = ids_.emplace(spelling, static_cast<int32_t>(names_.size()));
    if (inserted) names_.push_back(spelling);
    return it->second;
  }
  const std::string& Name(int32_t id) const { return names_[id]; }

 private:
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<std::string> names_;
};

struct Word {
  std::vector<int32_t> symbols;
  int64_t count;
};

uint64_t PairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}
int32_t Left(uint64_t key) { return static_cast<int32_t>(key >> 32); }
int32_t Right(uint64_t key) { return static_cast<int32_t>(key & 0xFFFFFFFFu); }

// Pre-token counts of the cleaned corpus, in a deterministic (sorted) order.
absl::StatusOr<std::map<std::string, int64_t>> CountPreTokens(const std::vector<std::string>& corpus) {
  std::map<std::string, int64_t> counts;
  for (size_t i = 0; i < corpus.size(); ++i) {
    if (absl::Status valid = CheckUtf8(corpus[i]); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("BPE corpus text %d: %s", i, valid.message()));
    }
    for (const std::string& piece : PreTokenize(CleanText(corpus[i]))) {
      if (piece != "<|startoftext|>" && piece != "<|endoftext|>") ++counts[piece];
    }
  }
  return counts;
}

// Incremental greedy BPE: pair counts are updated only for the words a merge touches, and the best pair comes from
// a lazy max-heap (entries whose count is no longer current are dropped when they surface).
class MergeLearner {
 public:
  explicit MergeLearner(const std::map<std::string, int64_t>& counts) : heap_(CandidateLess{&symbols_}) {
    const auto& stand_in = ByteToUnicode();
    for (const auto& [piece, count] : counts) {
      Word word{{}, count};
      for (size_t i = 0; i < piece.size(); ++i) {
        std::string spelling = stand_in[static_cast<uint8_t>(piece[i])];
        if (i + 1 == piece.size()) spelling += "</w>";
        word.symbols.push_back(symbols_.Intern(spelling));
      }
      words_.push_back(std::move(word));
    }
    std::unordered_set<uint64_t> changed;
    for (size_t w = 0; w < words_.size(); ++w) AddPairs(static_cast<int32_t>(w), +1, &changed);
    PushCandidates(changed);
  }

  std::vector<BpeMerge> Learn(int64_t max_merges) {
    std::vector<BpeMerge> merges;
    uint64_t key;
    while (static_cast<int64_t>(merges.size()) < max_merges && PopBest(&key)) {
      merges.emplace_back(symbols_.Name(Left(key)), symbols_.Name(Right(key)));
      ApplyMerge(key);
    }
    return merges;
  }

 private:
  struct Candidate {
    int64_t count;
    uint64_t key;
  };
  // Max-heap order: larger count first, then the lexicographically smaller (left, right) spelling.
  struct CandidateLess {
    const SymbolTable* symbols;
    bool operator()(const Candidate& a, const Candidate& b) const {
      if (a.count != b.count) return a.count < b.count;
      const std::string& al = symbols->Name(Left(a.key));
      const std::string& bl = symbols->Name(Left(b.key));
      if (al != bl) return al > bl;
      return symbols->Name(Right(a.key)) > symbols->Name(Right(b.key));
    }
  };

  // Adds (sign = +1) or removes (-1) the adjacent pairs of word `w`, weighted by its count.
  void AddPairs(int32_t w, int sign, std::unordered_set<uint64_t>* changed) {
    const Word& word = words_[w];
    for (size_t i = 0; i + 1 < word.symbols.size(); ++i) {
      const uint64_t key = PairKey(word.symbols[i], word.symbols[i + 1]);
      pair_counts_[key] += sign * word.count;
      if (sign > 0) pair_words_[key].push_back(w);
      changed->insert(key);
    }
  }

  void PushCandidates(const std::unordered_set<uint64_t>& changed) {
    for (uint64_t key : changed) {
      auto it = pair_counts_.find(key);
      if (it == pair_counts_.end()) continue;
      if (it->second > 0) {
        heap_.push({it->second, key});
      } else {
        pair_counts_.erase(it);
      }
    }
  }

  bool PopBest(uint64_t* key) {
    while (!heap_.empty()) {
      const Candidate top = heap_.top();
      heap_.pop();
      auto it = pair_counts_.find(top.key);
      if (it != pair_counts_.end() && it->second == top.count) {
        *key = top.key;
        return true;
      }
    }
    return false;
  }

  void ApplyMerge(uint64_t key) {
    const int32_t left = Left(key), right = Right(key);
    const int32_t merged = symbols_.Intern(symbols_.Name(left) + symbols_.Name(right));
    std::vector<int32_t> touched = std::move(pair_words_[key]);
    pair_words_.erase(key);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    std::unordered_set<uint64_t> changed;
    for (int32_t w : touched) {
      std::vector<int32_t>& s = words_[w].symbols;
      bool present = false;
      for (size_t i = 0; i + 1 < s.size() && !present; ++i) present = s[i] == left && s[i + 1] == right;
      if (!present) continue;  // a stale index: an earlier merge already consumed the pair here
      AddPairs(w, -1, &changed);
      size_t out = 0;
      for (size_t i = 0; i < s.size();) {
        const bool match = i + 1 < s.size() && s[i] == left && s[i + 1] == right;
        s[out++] = match ? merged : s[i];
        i += match ? 2 : 1;
      }
      s.resize(out);
      AddPairs(w, +1, &changed);
    }
    PushCandidates(changed);
  }

  SymbolTable symbols_;
  std::vector<Word> words_;
  std::unordered_map<uint64_t, int64_t> pair_counts_;
  std::unordered_map<uint64_t, std::vector<int32_t>> pair_words_;  // may hold duplicates and stale indices
  std::priority_queue<Candidate, std::vector<Candidate>, CandidateLess> heap_;
};

absl::Status WriteError(const std::string& path, const std::string& what) {
  return absl::InternalError(absl::StrFormat("cannot write BPE merges file '%s': %s", path, what));
}

// Writes `content` to `tmp` (gzip-compressed if asked), reporting failures against `path`; base::WriteFileAtomicallyVia
// renames it over `path` (zlib's gzopen wants a file name, so the stream variant does not fit).
absl::Status WriteFile(const std::string& path, const std::string& tmp, const std::string& content, bool gzip) {
  if (gzip) {
    gzFile file = gzopen(tmp.c_str(), "wb9");
    if (file == nullptr) return WriteError(path, std::strerror(errno));
    const int written = content.empty() ? 0 : gzwrite(file, content.data(), static_cast<unsigned>(content.size()));
    const int closed = gzclose(file);
    if (written != static_cast<int>(content.size()) || closed != Z_OK) return WriteError(path, "zlib write failed");
    return absl::OkStatus();
  }
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) return WriteError(path, std::strerror(errno));
  const size_t written = std::fwrite(content.data(), 1, content.size(), file);
  const bool closed = std::fclose(file) == 0;
  if (written != content.size() || !closed) return WriteError(path, std::strerror(errno));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<BpeMerge>> LearnBpeMerges(const std::vector<std::string>& corpus, int64_t max_merges) {
  if (max_merges < 0) {
    return absl::InvalidArgumentError(absl::StrFormat("BPE max_merges must be >= 0, got %d", max_merges));
  }
  absl::StatusOr<std::map<std::string, int64_t>> counts = CountPreTokens(corpus);
  if (!counts.ok()) return counts.status();
  return MergeLearner(*counts).Learn(max_merges);
}

absl::Status WriteMergesFile(const std::string& path, const std::vector<std::string>& corpus, int64_t max_merges) {
  absl::StatusOr<std::vector<BpeMerge>> merges = LearnBpeMerges(corpus, max_merges);
  if (!merges.ok()) return merges.status();
  std::string content = "#version: 0.2";
  for (const BpeMerge& merge : *merges) absl::StrAppend(&content, "\n", merge.first, " ", merge.second);
  return base::WriteFileAtomicallyVia(path, [&](const std::string& tmp) {
    return WriteFile(path, tmp, content, absl::EndsWith(path, ".gz"));
  });
}

}  // namespace zegclip::clip
