#include "data/class_catalog.h"

#include <utility>

namespace zegclip::data {
namespace {

constexpr int64_t kBaseColours = 6, kBasePatterns = 6, kAllColours = 8, kAllPatterns = 8;

// (colour, pattern) of every composition id: the base 6 x 6 first (id = colour * 6 + pattern), then the others.
const std::vector<std::pair<int64_t, int64_t>>& CompositionTable() {
  static const auto* table = [] {
    auto* t = new std::vector<std::pair<int64_t, int64_t>>;
    for (int64_t c = 0; c < kBaseColours; ++c) {
      for (int64_t p = 0; p < kBasePatterns; ++p) t->emplace_back(c, p);
    }
    for (int64_t c = 0; c < kAllColours; ++c) {
      for (int64_t p = 0; p < kAllPatterns; ++p) {
        if (c >= kBaseColours || p >= kBasePatterns) t->emplace_back(c, p);
      }
    }
    return t;
  }();
  return *table;
}

DatasetClasses MakeVoc() {
  return {"voc2012",
          {"aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable",
           "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"},
          {"pottedplant", "sheep", "sofa", "train", "tvmonitor"}};
}

// mmsegmentation's COCO-Stuff 164k order (80 things, then 91 stuff); label ids are indices into this list.
DatasetClasses MakeCocoStuff() {
  return {"coco_stuff",
          {"person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
           "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
           "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
           "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
           "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
           "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
           "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
           "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase",
           "scissors", "teddy bear", "hair drier", "toothbrush", "banner", "blanket", "branch", "bridge",
           "building-other", "bush", "cabinet", "cage", "cardboard", "carpet", "ceiling-other", "ceiling-tile",
           "cloth", "clothes", "clouds", "counter", "cupboard", "curtain", "desk-stuff", "dirt", "door-stuff",
           "fence", "floor-marble", "floor-other", "floor-stone", "floor-tile", "floor-wood", "flower", "fog",
           "food-other", "fruit", "furniture-other", "grass", "gravel", "ground-other", "hill", "house", "leaves",
           "light", "mat", "metal", "mirror-stuff", "moss", "mountain", "mud", "napkin", "net", "paper",
           "pavement", "pillow", "plant-other", "plastic", "platform", "playingfield", "railing", "railroad",
           "river", "road", "rock", "roof", "rug", "salad", "sand", "sea", "shelf", "sky-other", "skyscraper",
           "snow", "solid-other", "stairs", "stone", "straw", "structural-other", "table", "tent",
           "textile-other", "towel", "tree", "vegetable", "wall-brick", "wall-concrete", "wall-other",
           "wall-panel", "wall-stone", "wall-tile", "wall-wood", "water-other", "waterdrops", "window-blind",
           "window-other", "wood"},
          {"cow", "giraffe", "suitcase", "frisbee", "skateboard", "carrot", "scissors", "cardboard", "clouds",
           "grass", "playingfield", "river", "road", "tree", "wall-concrete"}};
}

DatasetClasses MakeContext59() {
  return {"pascal_context59",
          {"aeroplane", "bag", "bed", "bedclothes", "bench", "bicycle", "bird", "boat", "book", "bottle",
           "building", "bus", "cabinet", "car", "cat", "ceiling", "chair", "cloth", "computer", "cow", "cup",
           "curtain", "dog", "door", "fence", "floor", "flower", "food", "grass", "ground", "horse", "keyboard",
           "light", "motorbike", "mountain", "mouse", "person", "plate", "platform", "pottedplant", "road", "rock",
           "sheep", "shelves", "sidewalk", "sign", "sky", "snow", "sofa", "table", "track", "train", "tree",
           "truck", "tvmonitor", "wall", "water", "window", "wood"},
          {"cow", "motorbike", "sofa", "cat", "boat", "fence", "bird", "tvmonitor", "keyboard", "aeroplane"}};
}

// colour × pattern; 8 unseen compositions chosen so every colour and every pattern stays in >= 4 seen classes.
DatasetClasses MakeSynthetic() {
  DatasetClasses classes{"synthetic", {}, {}};
  for (const std::string& colour : SyntheticColours()) {
    for (const std::string& pattern : SyntheticPatterns()) classes.names.push_back(colour + " " + pattern);
  }
  classes.unseen = {"red dotted",    "green checkered", "blue plain",       "yellow horizontal",
                    "purple vertical", "orange diagonal", "red horizontal", "blue checkered"};
  return classes;
}

const std::vector<DatasetClasses>& Catalog() {
  static const auto* catalog =
      new std::vector<DatasetClasses>{MakeVoc(), MakeCocoStuff(), MakeContext59(), MakeSynthetic()};
  return *catalog;
}

}  // namespace

const std::vector<std::string>& SyntheticColours() {
  static const auto* colours = new std::vector<std::string>(SyntheticAllColours().begin(),
                                                            SyntheticAllColours().begin() + kBaseColours);
  return *colours;
}

const std::vector<std::string>& SyntheticPatterns() {
  static const auto* patterns = new std::vector<std::string>(SyntheticAllPatterns().begin(),
                                                             SyntheticAllPatterns().begin() + kBasePatterns);
  return *patterns;
}

const std::vector<std::string>& SyntheticAllColours() {
  static const auto* colours =
      new std::vector<std::string>{"red", "green", "blue", "yellow", "purple", "orange", "cyan", "pink"};
  return *colours;
}

const std::vector<std::string>& SyntheticAllPatterns() {
  static const auto* patterns = new std::vector<std::string>{"plain",  "horizontal", "vertical", "diagonal",
                                                             "dotted", "checkered",  "gridded",  "zigzag"};
  return *patterns;
}

int64_t SyntheticCompositionCount() { return kAllColours * kAllPatterns; }

int64_t SyntheticCompositionColour(int64_t id) { return CompositionTable().at(id).first; }

int64_t SyntheticCompositionPattern(int64_t id) { return CompositionTable().at(id).second; }

std::string SyntheticCompositionName(int64_t id) {
  return SyntheticAllColours().at(SyntheticCompositionColour(id)) + " " +
         SyntheticAllPatterns().at(SyntheticCompositionPattern(id));
}

int64_t FindSyntheticComposition(const std::string& name) {
  for (int64_t id = 0; id < SyntheticCompositionCount(); ++id) {
    if (SyntheticCompositionName(id) == name) return id;
  }
  return -1;
}

const DatasetClasses* FindDatasetClasses(const std::string& dataset) {
  for (const DatasetClasses& classes : Catalog()) {
    if (classes.dataset == dataset) return &classes;
  }
  return nullptr;
}

std::vector<std::string> KnownDatasets() {
  std::vector<std::string> keys;
  for (const DatasetClasses& classes : Catalog()) keys.push_back(classes.dataset);
  return keys;
}

}  // namespace zegclip::data
