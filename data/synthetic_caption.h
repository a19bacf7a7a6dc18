// Captions of the synthetic world: the canonical sentence (one fixed phrasing, what retrieval prompts and the
// vocabulary are built around) and varied phrasings of the same content for CLIP pre-training, so the tiny text
// encoder learns the attributes rather than one sentence shape — as real CLIP saw many phrasings of one scene.
//
// Example:
//   SyntheticCaption({3, 17});              // "a red diagonal object and a blue checkered object."
//   SampleRng rng(seed, split_hash, index);
//   PhrasedSyntheticCaption({3, 17}, rng);   // e.g. "a picture of a blue blob with checks and a diagonal red one."
//   SyntheticCaptionKey({17, 3}) == SyntheticCaptionKey({3, 17});   // what a caption says, whatever its phrasing
#ifndef ZEGCLIP_DATA_SYNTHETIC_CAPTION_H_
#define ZEGCLIP_DATA_SYNTHETIC_CAPTION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "data/sample_rng.h"

namespace zegclip::data {

// "a red dotted object." / "a red dotted object and a blue plain object." /
// "a red dotted object, a green plain object and a blue plain object." (composition ids, class_catalog.h, in the
// order given).
std::string SyntheticCaption(const std::vector<int64_t>& class_ids);

// The same objects in one of many phrasings drawn from rng: objects in random order, colour before or after the
// pattern, the pattern as an adjective (with synonyms: "spotted", "chequered") or a "with ..." phrase ("with dots"),
// nouns "object" / "blob" / "shape" (later objects also "one"), and for one or two objects an optional frame
// ("a picture of ...", "there is ...", "... on a noisy background."). At most 7 words per object plus joining
// words: never more than 22 tokens for up to three objects (a context of 24 with start and end of text).
std::string PhrasedSyntheticCaption(const std::vector<int64_t>& class_ids, SampleRng& rng);

// What a caption says, independent of phrasing and order: the canonical caption of the sorted ids. Captions with
// equal keys are each other's positives in contrastive pre-training.
std::string SyntheticCaptionKey(std::vector<int64_t> class_ids);

// Every word the phrasings of these compositions use (their colours, pattern words and synonyms, nouns, frames,
// joining words), sorted and unique, for building a vocabulary in which each is one token.
std::vector<std::string> SyntheticCaptionWords(const std::vector<int64_t>& compositions);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_SYNTHETIC_CAPTION_H_
