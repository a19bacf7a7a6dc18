#include "zegclip/report/config_diff.h"

#include <glog/logging.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/text_format.h>

namespace zegclip::report {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::TextFormat;

// One value (index -1: a singular field, unset meaning its default) in text format.
std::string ValueText(const Message& m, const FieldDescriptor* field, int index) {
  std::string text;
  TextFormat::PrintFieldValueToString(m, field, index, &text);
  return text;
}

std::string FieldText(const Message& m, const FieldDescriptor* field) {
  if (!field->is_repeated()) return ValueText(m, field, -1);
  std::string text = "[";
  const int n = m.GetReflection()->FieldSize(m, field);
  for (int i = 0; i < n; ++i) text += (i ? ", " : "") + ValueText(m, field, i);
  return text + "]";
}

void Diff(const Message& a, const Message& b, const std::string& prefix, std::vector<FieldDifference>* out) {
  const google::protobuf::Descriptor* type = a.GetDescriptor();
  const Reflection* ra = a.GetReflection();
  const Reflection* rb = b.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const std::string path = prefix.empty() ? field->name() : prefix + "." + field->name();
    // A singular sub-message is walked even when unset: its fields' defaults are what the run used.
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()) {
      Diff(ra->GetMessage(a, field), rb->GetMessage(b, field), path, out);
      continue;
    }
    std::string va = FieldText(a, field);
    std::string vb = FieldText(b, field);
    if (va != vb) out->push_back({path, std::move(va), std::move(vb)});
  }
}

}  // namespace

std::vector<FieldDifference> DiffMessages(const Message& a, const Message& b) {
  CHECK_EQ(a.GetDescriptor(), b.GetDescriptor()) << "DiffMessages: messages of different types";
  std::vector<FieldDifference> out;
  Diff(a, b, "", &out);
  return out;
}

}  // namespace zegclip::report
