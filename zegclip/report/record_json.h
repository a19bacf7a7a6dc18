// Typed reading and writing of the fields of the run-file records (eval_record.h, pretrain_record.h): numbers are
// JSON numbers, NaN is null, and a field of the wrong type is one error naming the file and the key.
#ifndef ZEGCLIP_REPORT_RECORD_JSON_H_
#define ZEGCLIP_REPORT_RECORD_JSON_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::report {

// `value` as a JSON number, or null when it is NaN or infinite.
nlohmann::json NumberOrNull(double value);

// How a record field is read: an absent key reads as `absent` (NaN for optional numbers); null reads as NaN.
// `legacy_strings`: a string holding a number is accepted too (older files wrote some fields that way).
struct NumberField {
  const char* key;
  bool required = false;
  bool legacy_strings = false;
};

// The field's value, or InvalidArgument "<source>: '<key>' is <value>, expected a number or null" (or "missing").
absl::StatusOr<double> ReadNumber(const nlohmann::json& object, const NumberField& field, const std::string& source);
// A number holding an integer value (no fraction), for counts.
absl::StatusOr<int64_t> ReadCount(const nlohmann::json& object, const NumberField& field, const std::string& source);
// A string field; absent reads as "" unless required.
absl::StatusOr<std::string> ReadString(const nlohmann::json& object, const char* key, bool required,
                                       const std::string& source);

// The JSON object in the file, or an error naming the path (missing, unreadable, not JSON, not an object).
absl::StatusOr<nlohmann::json> ReadJsonObjectFile(const std::string& path);

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_RECORD_JSON_H_
