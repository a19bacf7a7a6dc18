// Text prompt templates for class embeddings ("{}" stands for the class name), selectable by name:
//
//   single          "a photo of a {}." -- OpenAI's basic zero-shot prompt, the platform's default
//   imagenet        OpenAI's 80 ImageNet templates (notebooks/Prompt_Engineering_for_ImageNet.ipynb of
//                   github.com/openai/CLIP), whose averaged embeddings are CLIP's published ImageNet classifier
//   zegclip_single  "a photo of a {}" -- exactly what the ZegCLIP authors embedded for voc12_single.npy /
//                   coco_single.npy (no final period; configs/_base_/datasets/text_embedding/get_embedding.ipynb)
//   zegclip_multi   the authors' 15 scene templates behind coco_multi.npy (same notebook)
//
// A spec "@FILE" reads one template per line instead (blank lines skipped).
//
// Example:
//   absl::StatusOr<std::vector<std::string>> templates = LoadTemplates("imagenet");   // 80 strings
//   std::string prompt = FillTemplate((*templates)[0], "cat");                          // "a bad photo of a cat."
#ifndef ZEGCLIP_CLIP_PROMPT_TEMPLATES_H_
#define ZEGCLIP_CLIP_PROMPT_TEMPLATES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::clip {

// The names LoadTemplates accepts besides "@FILE", in a fixed order.
std::vector<std::string> TemplateSetNames();

// A named set, or the lines of FILE for "@FILE". Errors: an unknown name (listing the known ones), an unreadable or
// empty file, a template that does not contain "{}" exactly once (naming the file and line).
absl::StatusOr<std::vector<std::string>> LoadTemplates(const std::string& spec);

// OK when `pattern` holds "{}" exactly once (Python's str.format with one argument, as OpenAI's notebooks use).
absl::Status ValidateTemplate(const std::string& pattern);

// `pattern` with its "{}" replaced by `class_name`.
std::string FillTemplate(const std::string& pattern, const std::string& class_name);

}  // namespace zegclip::clip

#endif  // ZEGCLIP_CLIP_PROMPT_TEMPLATES_H_
