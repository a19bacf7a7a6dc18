#include "zegclip/config/config_overrides.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace zegclip::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

std::string FieldNames(const Descriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->field_count(); ++i) names.push_back(descriptor->field(i)->name());
  return absl::StrJoin(names, ", ");
}

// Walks `path` down to the message holding the last field; returns nullptr and sets `error` on a bad path.
Message* Descend(const std::vector<std::string>& path, Message* message, const FieldDescriptor** leaf,
                 std::string* error) {
  for (size_t i = 0; i < path.size(); ++i) {
    const FieldDescriptor* field = message->GetDescriptor()->FindFieldByName(path[i]);
    const std::string prefix = absl::StrJoin(path.begin(), path.begin() + i, ".");
    if (field == nullptr) {
      *error = absl::StrCat("'", prefix.empty() ? "" : prefix + ".", path[i], "' is not a field (fields of ",
                            prefix.empty() ? "the experiment" : prefix, ": ", FieldNames(message->GetDescriptor()),
                            ")");
      return nullptr;
    }
    if (i + 1 == path.size()) {
      *leaf = field;
      return message;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
      *error = absl::StrCat("'", path[i], "' is a value, not a group of fields");
      return nullptr;
    }
    message = message->GetReflection()->MutableMessage(message, field);
  }
  return message;
}

std::string EnumChoices(const FieldDescriptor* field) {
  std::vector<std::string> names;
  const google::protobuf::EnumDescriptor* type = field->enum_type();
  for (int i = 0; i < type->value_count(); ++i) names.push_back(type->value(i)->name());
  return absl::StrJoin(names, ", ");
}

// Swallows the parser's messages: SetValue words the error itself, naming the --set and what was expected.
class SilentErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, int, const std::string&) override {}
  void AddWarning(int, int, const std::string&) override {}
};

absl::Status SetValue(const std::string& key, const std::string& value, const FieldDescriptor* field,
                      Message* message) {
  std::string text = value;
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING && (text.empty() || text.front() != '"')) {
    text = absl::StrCat("\"", absl::CEscape(value), "\"");
  }
  // A parser of our own with an error collector: the static TextFormat function logs its own "[libprotobuf ERROR
  // ...]" line to stderr before ours, and a failure must be one line.
  google::protobuf::TextFormat::Parser parser;
  SilentErrors errors;
  parser.RecordErrorsTo(&errors);
  if (parser.ParseFieldValueFromString(text, field, message)) return absl::OkStatus();
  std::string expected = field->cpp_type_name();
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) expected = absl::StrCat("one of ", EnumChoices(field));
  return absl::InvalidArgumentError(
      absl::StrCat("--set=", key, "=", value, ": '", value, "' is not a valid value (expected ", expected, ")"));
}

}  // namespace

absl::Status ApplyOverride(const std::string& assignment, Message* message) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--set=", assignment, ": expected FIELD.PATH=VALUE, e.g. train.max_iters=100"));
  }
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  const FieldDescriptor* field = nullptr;
  std::string error;
  Message* owner = Descend(absl::StrSplit(key, '.'), message, &field, &error);
  if (owner == nullptr) return absl::InvalidArgumentError(absl::StrCat("--set=", assignment, ": ", error));
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return absl::InvalidArgumentError(
        absl::StrCat("--set=", assignment, ": '", key, "' is a group of fields; set one of its fields (",
                     FieldNames(field->message_type()), ")"));
  }
  if (!field->is_repeated()) return SetValue(key, value, field, owner);
  owner->GetReflection()->ClearField(owner, field);
  if (value.empty()) return absl::OkStatus();
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    absl::Status status = SetValue(key, std::string(item), field, owner);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace zegclip::config
