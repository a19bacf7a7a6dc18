// The fields in which two configs differ, as `zegclip compare` shows them: one row per leaf field path
// ("model.loss.kind"), with both values in protobuf text format. An unset field counts as its default, so a file
// that spells out a default and one that leaves it out do not differ; a repeated field is compared as a whole list.
//
// Example:
//   std::vector<FieldDifference> d = DiffMessages(run_a_experiment, run_b_experiment);
//   // {{"model.loss.kind", "NEL", "EL"}, {"train.max_iters", "2", "4"}}
#ifndef ZEGCLIP_REPORT_CONFIG_DIFF_H_
#define ZEGCLIP_REPORT_CONFIG_DIFF_H_

#include <string>
#include <vector>

#include <google/protobuf/message.h>

namespace zegclip::report {

struct FieldDifference {
  std::string path;  // dotted field names from the top message, as --set names them
  std::string a;     // text-format value in the first message ("[x, y]" for a repeated field)
  std::string b;

  bool operator==(const FieldDifference& other) const {
    return path == other.path && a == other.a && b == other.b;
  }
};

// Every leaf field whose value differs, depth first in declaration order. `a` and `b` must be of the same message
// type (a CHECKed invariant: the caller parsed both files as that type).
std::vector<FieldDifference> DiffMessages(const google::protobuf::Message& a, const google::protobuf::Message& b);

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_CONFIG_DIFF_H_
