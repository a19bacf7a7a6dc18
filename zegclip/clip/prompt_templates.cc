#include "zegclip/clip/prompt_templates.h"

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace zegclip::clip {
namespace {

// Verbatim from OpenAI's notebook (order kept: it only matters for bit-exact sums, but costs nothing to keep).
const std::vector<std::string>& ImageNetTemplates() {
  static const auto* templates = new std::vector<std::string>{
      "a bad photo of a {}.",
      "a photo of many {}.",
      "a sculpture of a {}.",
      "a photo of the hard to see {}.",
      "a low resolution photo of the {}.",
      "a rendering of a {}.",
      "graffiti of a {}.",
      "a bad photo of the {}.",
      "a cropped photo of the {}.",
      "a tattoo of a {}.",
      "the embroidered {}.",
      "a photo of a hard to see {}.",
      "a bright photo of a {}.",
      "a photo of a clean {}.",
      "a photo of a dirty {}.",
      "a dark photo of the {}.",
      "a drawing of a {}.",
      "a photo of my {}.",
      "the plastic {}.",
      "a photo of the cool {}.",
      "a close-up photo of a {}.",
      "a black and white photo of the {}.",
      "a painting of the {}.",
      "a painting of a {}.",
      "a pixelated photo of the {}.",
      "a sculpture of the {}.",
      "a bright photo of the {}.",
      "a cropped photo of a {}.",
      "a plastic {}.",
      "a photo of the dirty {}.",
      "a jpeg corrupted photo of a {}.",
      "a blurry photo of the {}.",
      "a photo of the {}.",
      "a good photo of the {}.",
      "a rendering of the {}.",
      "a {} in a video game.",
      "a photo of one {}.",
      "a doodle of a {}.",
      "a close-up photo of the {}.",
      "a photo of a {}.",
      "the origami {}.",
      "the {} in a video game.",
      "a sketch of a {}.",
      "a doodle of the {}.",
      "a origami {}.",
      "a low resolution photo of a {}.",
      "the toy {}.",
      "a rendition of the {}.",
      "a photo of the clean {}.",
      "a photo of a large {}.",
      "a rendition of a {}.",
      "a photo of a nice {}.",
      "a photo of a weird {}.",
      "a blurry photo of a {}.",
      "a cartoon {}.",
      "art of a {}.",
      "a sketch of the {}.",
      "a embroidered {}.",
      "a pixelated photo of a {}.",
      "itap of the {}.",
      "a jpeg corrupted photo of the {}.",
      "a good photo of a {}.",
      "a plushie {}.",
      "a photo of the nice {}.",
      "a photo of the small {}.",
      "a photo of the weird {}.",
      "the cartoon {}.",
      "art of the {}.",
      "a drawing of the {}.",
      "a photo of the large {}.",
      "a black and white photo of a {}.",
      "the plushie {}.",
      "a dark photo of a {}.",
      "itap of a {}.",
      "graffiti of the {}.",
      "a toy {}.",
      "itap of my {}.",
      "a photo of a cool {}.",
      "a photo of a small {}.",
      "a tattoo of the {}.",
  };
  return *templates;
}

// Verbatim from the ZegCLIP authors' get_embedding.ipynb.
const std::vector<std::string>& ZegClipMultiTemplates() {
  static const auto* templates = new std::vector<std::string>{
      "a photo of a {}.",
      "a photo of a small {}.",
      "a photo of a medium {}.",
      "a photo of a large {}.",
      "This is a photo of a {}.",
      "This is a photo of a small {}.",
      "This is a photo of a medium {}.",
      "This is a photo of a large {}.",
      "a {} in the scene.",
      "a photo of a {} in the scene.",
      "There is a {} in the scene.",
      "There is the {} in the scene.",
      "This is a {} in the scene.",
      "This is the {} in the scene.",
      "This is one {} in the scene.",
  };
  return *templates;
}

const std::vector<std::pair<std::string, std::vector<std::string>>>& NamedSets() {
  static const auto* sets = new std::vector<std::pair<std::string, std::vector<std::string>>>{
      {"single", {"a photo of a {}."}},
      {"imagenet", ImageNetTemplates()},
      {"zegclip_single", {"a photo of a {}"}},
      {"zegclip_multi", ZegClipMultiTemplates()},
  };
  return *sets;
}

absl::StatusOr<std::vector<std::string>> ReadTemplateFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("template file ", path, " does not exist or cannot be read"));
  std::vector<std::string> templates;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty()) continue;
    absl::Status valid = ValidateTemplate(std::string(text));
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("template file ", path, " line ", line_number, ": ", valid.message()));
    }
    templates.emplace_back(text);
  }
  if (templates.empty()) return absl::InvalidArgumentError(absl::StrCat("template file ", path, " has no templates"));
  return templates;
}

}  // namespace

std::vector<std::string> TemplateSetNames() {
  std::vector<std::string> names;
  for (const auto& [name, templates] : NamedSets()) names.push_back(name);
  return names;
}

absl::StatusOr<std::vector<std::string>> LoadTemplates(const std::string& spec) {
  if (!spec.empty() && spec[0] == '@') return ReadTemplateFile(spec.substr(1));
  for (const auto& [name, templates] : NamedSets()) {
    if (name == spec) return templates;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown template set '", spec,
                                                 "' (known: ", absl::StrJoin(TemplateSetNames(), ", "), ", or @FILE)"));
}

absl::Status ValidateTemplate(const std::string& pattern) {
  const size_t first = pattern.find("{}");
  if (first == std::string::npos || pattern.find("{}", first + 2) != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("template '", pattern, "' must contain '{}' (where the class name goes) exactly once"));
  }
  return absl::OkStatus();
}

std::string FillTemplate(const std::string& pattern, const std::string& class_name) {
  const size_t at = pattern.find("{}");
  if (at == std::string::npos) return pattern;
  return absl::StrCat(pattern.substr(0, at), class_name, pattern.substr(at + 2));
}

}  // namespace zegclip::clip
