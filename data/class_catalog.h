// The class lists and zero-shot splits of the datasets the platform knows, as data in one place.
//
// Example:
//   const DatasetClasses* voc = FindDatasetClasses("voc2012");
//   voc->names.size();   // 20
//   voc->unseen;         // {"pottedplant", "sheep", "sofa", "train", "tvmonitor"}
#ifndef ZEGCLIP_DATA_CLASS_CATALOG_H_
#define ZEGCLIP_DATA_CLASS_CATALOG_H_

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

// The synthetic world's attributes: a class is "<colour> <pattern>" (see synthetic_world.h).
const std::vector<std::string>& SyntheticColours();
const std::vector<std::string>& SyntheticPatterns();

}  // namespace zegclip::data

#endif  // ZEGCLIP_DATA_CLASS_CATALOG_H_
