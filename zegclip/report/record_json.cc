#include "zegclip/report/record_json.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "zegclip/base/path_check.h"

namespace zegclip::report {
namespace {

absl::Status WrongType(const std::string& source, const char* key, const nlohmann::json& value,
                       const char* expected) {
  std::string shown = value.dump();
  if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
  return absl::InvalidArgumentError(absl::StrCat(source, ": '", key, "' is ", shown, ", expected ", expected));
}

}  // namespace

nlohmann::json NumberOrNull(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

absl::StatusOr<double> ReadNumber(const nlohmann::json& object, const NumberField& field, const std::string& source) {
  if (!object.contains(field.key)) {
    if (field.required) return absl::InvalidArgumentError(absl::StrCat(source, ": '", field.key, "' is missing"));
    return NAN;
  }
  const nlohmann::json& v = object.at(field.key);
  if (v.is_null()) return NAN;
  if (v.is_number()) return v.get<double>();
  double parsed = NAN;
  if (field.legacy_strings && v.is_string() && absl::SimpleAtod(v.get<std::string>(), &parsed)) return parsed;
  return WrongType(source, field.key, v, "a number or null");
}

absl::StatusOr<int64_t> ReadCount(const nlohmann::json& object, const NumberField& field, const std::string& source) {
  absl::StatusOr<double> x = ReadNumber(object, field, source);
  if (!x.ok()) return x.status();
  if (std::isnan(*x) && !field.required) return 0;
  if (!(*x >= 0 && *x <= 9.0e15 && std::floor(*x) == *x)) {
    return WrongType(source, field.key, object.at(field.key), "a count (a whole number >= 0)");
  }
  return static_cast<int64_t>(*x);
}

absl::StatusOr<std::string> ReadString(const nlohmann::json& object, const char* key, bool required,
                                       const std::string& source) {
  if (!object.contains(key)) {
    if (required) return absl::InvalidArgumentError(absl::StrCat(source, ": '", key, "' is missing"));
    return std::string();
  }
  const nlohmann::json& v = object.at(key);
  if (!v.is_string()) return WrongType(source, key, v, "a string");
  return v.get<std::string>();
}

absl::StatusOr<nlohmann::json> ReadJsonObjectFile(const std::string& path) {
  if (absl::Status s = base::CheckReadableFile(path, "run file"); !s.ok()) return s;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return absl::UnavailableError(absl::StrCat(path, ": cannot be read"));
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::DataLossError(absl::StrCat(path, ": not valid JSON"));
  if (!j.is_object()) return absl::DataLossError(absl::StrCat(path, ": not a JSON object"));
  return j;
}

}  // namespace zegclip::report
