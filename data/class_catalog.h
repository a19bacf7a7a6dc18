// The class lists and zero-shot splits of the datasets the platform knows, as data in one place.
//
// Example:
//   const DatasetClasses* voc = FindDatasetClasses("voc2012");
//   voc->names.size();   // 20
//   voc->unseen;         // {"pottedplant", "sheep", "sofa", "train", "tvmonitor"}
#ifndef ZEGCLIP_DATA_CLASS_CATALOG_H_
#define ZEGCLIP_DATA_CLASS_CATALOG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace zegclip::data {

struct DatasetClasses {
  std::string dataset;              // catalog key, e.g. "voc2012"
  std::vector<std::string> names;   // in label order (label k is names[k])
  std::vector<std::string> unseen;  // the zero-shot split used by the paper (or its follow-ups)
};

// Returns nullptr for an unknown key; KnownDatasets() lists the keys.
const DatasetClasses* FindDatasetClasses(const std::string& dataset);
std::vector<std::string> KnownDatasets();

// The synthetic world's attributes: a class is "<colour> <pattern>" (see synthetic_world.h). These are the base
// world's 6 colours and 6 patterns, the classes of the default job.
const std::vector<std::string>& SyntheticColours();
const std::vector<std::string>& SyntheticPatterns();

// Every colour and pattern the world can draw: the base ones, then two extra colours (cyan, pink) and two extra
// patterns (gridded, zigzag). The extras exist so that a CLIP can be pre-trained on more concepts than the classes
// a segmenter trains on, as OpenAI's CLIP knows far more than VOC's seen classes.
const std::vector<std::string>& SyntheticAllColours();   // 8
const std::vector<std::string>& SyntheticAllPatterns();  // 8

// A composition is one (colour, pattern) pair of the 8 x 8. Ids 0..35 are the base world's classes
// (colour * 6 + pattern), so every base id keeps its meaning; 36..63 are the compositions with an extra colour or
// an extra pattern, in row-major (colour, pattern) order: 36 = "red gridded", 37 = "red zigzag", ...
int64_t SyntheticCompositionCount();  // 64
int64_t SyntheticCompositionColour(int64_t id);   // index into SyntheticAllColours()
int64_t SyntheticCompositionPattern(int64_t id);  // index into SyntheticAllPatterns()
std::string SyntheticCompositionName(int64_t id);  // "<colour> <pattern>"
// The id of a composition's name, -1 for a name that is none.
int64_t FindSyntheticComposition(const std::string& name);

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_CLASS_CATALOG_H_
