#include "data/synthetic_caption.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "data/class_catalog.h"

namespace zegclip::data {
namespace {

// Pattern words by pattern index (class_catalog.cc's order: plain, horizontal, vertical, diagonal, dotted,
// checkered, then the extra gridded, zigzag): the adjectives a caption may use, and the "with ..." phrase.
struct PatternWords {
  std::vector<std::string> adjectives;
  std::string with_phrase;
};

const std::vector<PatternWords>& PatternVocabulary() {
  static const auto* words = new std::vector<PatternWords>{
      {{"plain"}, "with no pattern"},
      {{"horizontal"}, "with horizontal stripes"},
      {{"vertical"}, "with vertical stripes"},
      {{"diagonal"}, "with diagonal stripes"},
      {{"dotted", "spotted"}, "with dots"},
      {{"checkered", "chequered"}, "with checks"},
      {{"gridded"}, "with a grid"},
      {{"zigzag"}, "with zigzags"},
  };
  return *words;
}

constexpr std::array<const char*, 3> kNouns = {"object", "blob", "shape"};
// {prefix, suffix} around the list of objects; used for one or two objects (three stay within the context).
constexpr std::array<std::array<const char*, 2>, 4> kFrames = {
    {{"", "."}, {"a picture of ", "."}, {"there is ", "."}, {"", " on a noisy background."}}};

std::string JoinObjects(const std::vector<std::string>& parts) {
  if (parts.size() <= 1) return parts.empty() ? "" : parts[0];
  const std::vector<std::string> head(parts.begin(), parts.end() - 1);
  return absl::StrJoin(head, ", ") + " and " + parts.back();
}

template <typename T>
const T& Pick(const std::vector<T>& items, SampleRng& rng) {
  return items[rng.UniformInt(0, static_cast<int64_t>(items.size()) - 1)];
}

// One object in one of four shapes; "one" only where an earlier object introduced the noun.
std::string PhraseObject(int64_t class_id, bool first, SampleRng& rng) {
  const std::string& colour = SyntheticAllColours().at(SyntheticCompositionColour(class_id));
  const PatternWords& pattern = PatternVocabulary().at(SyntheticCompositionPattern(class_id));
  const std::string adjective = Pick(pattern.adjectives, rng);
  const std::string noun = kNouns[rng.UniformInt(0, kNouns.size() - 1)];
  switch (rng.UniformInt(0, first ? 2 : 3)) {
    case 0: return "a " + colour + " " + adjective + " " + noun;
    case 1: return "a " + adjective + " " + colour + " " + noun;
    case 2: return "a " + colour + " " + noun + " " + pattern.with_phrase;
    default: return "a " + adjective + " " + colour + " one";
  }
}

}  // namespace

std::string SyntheticCaption(const std::vector<int64_t>& class_ids) {
  std::vector<std::string> parts;
  for (int64_t id : class_ids) parts.push_back("a " + SyntheticCompositionName(id) + " object");
  return parts.empty() ? "" : JoinObjects(parts) + ".";
}

std::string PhrasedSyntheticCaption(const std::vector<int64_t>& class_ids, SampleRng& rng) {
  if (class_ids.empty()) return "";
  std::vector<std::string> parts;
  for (int64_t i : RandomPermutation(static_cast<int64_t>(class_ids.size()), rng)) {
    parts.push_back(PhraseObject(class_ids[i], parts.empty(), rng));
  }
  const int64_t frame = class_ids.size() <= 2 ? rng.UniformInt(0, kFrames.size() - 1) : 0;
  return std::string(kFrames[frame][0]) + JoinObjects(parts) + kFrames[frame][1];
}

std::string SyntheticCaptionKey(std::vector<int64_t> class_ids) {
  std::sort(class_ids.begin(), class_ids.end());
  return SyntheticCaption(class_ids);
}

std::vector<std::string> SyntheticCaptionWords(const std::vector<int64_t>& compositions) {
  std::vector<std::string> words = {"a", "and", ",", ".", "one", "picture", "of", "there", "is", "on", "noisy",
                                    "background"};
  for (const char* noun : kNouns) words.push_back(noun);
  for (int64_t id : compositions) {
    words.push_back(SyntheticAllColours().at(SyntheticCompositionColour(id)));
    const PatternWords& pattern = PatternVocabulary().at(SyntheticCompositionPattern(id));
    for (const std::string& adjective : pattern.adjectives) words.push_back(adjective);
    for (absl::string_view word : absl::StrSplit(pattern.with_phrase, ' ')) words.emplace_back(word);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

}  // namespace zegclip::data
