#include "zegclip/report/eval_record.h"

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/report/record_json.h"

namespace zegclip::report {
namespace {

constexpr char kOnValPrefix[] = "hIoU_at_offset_";
constexpr char kCalibrationPrefix[] = "calibration_hIoU_at_offset_";

// The headline keys, in file order, with their fields.
std::vector<std::pair<const char*, double EvalRecord::*>> Headline() {
  return {{"pAcc", &EvalRecord::pixel_accuracy}, {"mAcc", &EvalRecord::mean_accuracy},
          {"mIoU", &EvalRecord::miou},           {"mIoU_seen", &EvalRecord::miou_seen},
          {"mIoU_unseen", &EvalRecord::miou_unseen}, {"hIoU", &EvalRecord::hiou}};
}

std::string OffsetKey(const char* prefix, double offset) { return absl::StrFormat("%s%.3f", prefix, offset); }

// The fields after "classes", key → JSON value; a std::map keeps them in key order, as the file always had them.
std::map<std::string, nlohmann::json> Trailing(const EvalRecord& r) {
  std::map<std::string, nlohmann::json> out;
  if (!r.checkpoint.empty()) out["checkpoint"] = r.checkpoint;
  if (r.calibration) {
    const HeldOutCalibration& c = *r.calibration;
    out["calibration_split"] = c.split;
    out["calibration_images"] = c.images;
    out["calibration_chosen_offset"] = NumberOrNull(c.chosen_offset);
    out["calibration_chosen_hIoU"] = NumberOrNull(c.chosen_hiou);
    for (const OffsetResult& o : c.hiou_at_offset) out[OffsetKey(kCalibrationPrefix, o.offset)] = NumberOrNull(o.hiou);
  }
  for (const OffsetResult& o : r.hiou_at_offset_on_val) out[OffsetKey(kOnValPrefix, o.offset)] = NumberOrNull(o.hiou);
  if (!std::isnan(r.seen_score_offset)) out["seen_score_offset"] = r.seen_score_offset;
  if (!std::isnan(r.unseen_pixels_right_colour)) {
    out["unseen_pixels_right_colour"] = NumberOrNull(r.unseen_pixels_right_colour);
    out["unseen_pixels_right_pattern"] = NumberOrNull(r.unseen_pixels_right_pattern);
  }
  return out;
}

// Every "<prefix><offset>" key of `j`, ascending by offset.
absl::StatusOr<std::vector<OffsetResult>> OffsetResults(const nlohmann::json& j, const std::string& prefix,
                                                        const std::string& source) {
  std::vector<OffsetResult> out;
  for (const auto& [key, value] : j.items()) {
    if (!absl::StartsWith(key, prefix)) continue;
    OffsetResult o;
    if (!absl::SimpleAtod(key.substr(prefix.size()), &o.offset)) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": key '", key, "' does not end in an offset"));
    }
    absl::StatusOr<double> hiou = ReadNumber(j, {key.c_str(), true, true}, source);
    if (!hiou.ok()) return hiou.status();
    o.hiou = *hiou;
    out.push_back(o);
  }
  std::sort(out.begin(), out.end(), [](const OffsetResult& a, const OffsetResult& b) { return a.offset < b.offset; });
  return out;
}

absl::StatusOr<std::vector<ClassResult>> ClassResults(const nlohmann::json& j, const std::string& source) {
  std::vector<ClassResult> out;
  if (!j.contains("classes")) return out;
  if (!j.at("classes").is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": 'classes' is not a list"));
  }
  for (const nlohmann::json& c : j.at("classes")) {
    const std::string where = absl::StrCat(source, ": classes[", out.size(), "]");
    if (!c.is_object()) return absl::InvalidArgumentError(absl::StrCat(where, " is not an object"));
    ClassResult k;
    absl::StatusOr<std::string> name = ReadString(c, "name", /*required=*/true, where);
    if (!name.ok()) return name.status();
    k.name = *name;
    if (c.contains("seen")) {
      if (!c.at("seen").is_boolean()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": 'seen' is not true/false"));
      }
      k.seen = c.at("seen").get<bool>();
    }
    absl::StatusOr<double> iou = ReadNumber(c, {"iou"}, where);
    if (!iou.ok()) return iou.status();
    absl::StatusOr<double> acc = ReadNumber(c, {"acc"}, where);
    if (!acc.ok()) return acc.status();
    k.iou = *iou;
    k.acc = *acc;
    out.push_back(k);
  }
  return out;
}

absl::Status ReadCalibration(const nlohmann::json& j, const std::string& source, EvalRecord& r) {
  if (!j.contains("calibration_split")) return absl::OkStatus();
  HeldOutCalibration c;
  absl::StatusOr<std::string> split = ReadString(j, "calibration_split", true, source);
  absl::StatusOr<int64_t> images = ReadCount(j, {"calibration_images", false, true}, source);
  absl::StatusOr<double> offset = ReadNumber(j, {"calibration_chosen_offset", true, true}, source);
  absl::StatusOr<double> hiou = ReadNumber(j, {"calibration_chosen_hIoU", false, true}, source);
  absl::StatusOr<std::vector<OffsetResult>> rows = OffsetResults(j, kCalibrationPrefix, source);
  for (const absl::Status& s : {split.status(), images.status(), offset.status(), hiou.status(), rows.status()}) {
    if (!s.ok()) return s;
  }
  c.split = *split;
  c.images = *images;
  c.chosen_offset = *offset;
  c.chosen_hiou = *hiou;
  c.hiou_at_offset = *rows;
  r.calibration = c;
  return absl::OkStatus();
}

}  // namespace

nlohmann::ordered_json ToJson(const EvalRecord& r) {
  nlohmann::ordered_json j;
  for (const auto& [key, field] : Headline()) j[key] = NumberOrNull(r.*field);
  j["images"] = r.images;
  j["classes"] = nlohmann::ordered_json::array();
  for (const ClassResult& c : r.classes) {
    j["classes"].push_back(
        {{"name", c.name}, {"seen", c.seen}, {"iou", NumberOrNull(c.iou)}, {"acc", NumberOrNull(c.acc)}});
  }
  for (const auto& [key, value] : Trailing(r)) j[key] = value;
  return j;
}

absl::StatusOr<EvalRecord> EvalRecordFromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) return absl::InvalidArgumentError(absl::StrCat(source, ": not a JSON object"));
  EvalRecord r;
  for (const auto& [key, field] : Headline()) {
    absl::StatusOr<double> x = ReadNumber(j, {key}, source);
    if (!x.ok()) return x.status();
    r.*field = *x;
  }
  absl::StatusOr<int64_t> images = ReadCount(j, {"images"}, source);
  if (!images.ok()) return images.status();
  r.images = *images;
  absl::StatusOr<std::vector<ClassResult>> classes = ClassResults(j, source);
  if (!classes.ok()) return classes.status();
  r.classes = *std::move(classes);
  absl::StatusOr<std::string> checkpoint = ReadString(j, "checkpoint", false, source);
  if (!checkpoint.ok()) return checkpoint.status();
  r.checkpoint = *checkpoint;
  if (absl::Status s = ReadCalibration(j, source, r); !s.ok()) return s;
  absl::StatusOr<std::vector<OffsetResult>> on_val = OffsetResults(j, kOnValPrefix, source);
  absl::StatusOr<double> offset = ReadNumber(j, {"seen_score_offset", false, true}, source);
  absl::StatusOr<double> colour = ReadNumber(j, {"unseen_pixels_right_colour", false, true}, source);
  absl::StatusOr<double> pattern = ReadNumber(j, {"unseen_pixels_right_pattern", false, true}, source);
  for (const absl::Status& s : {on_val.status(), offset.status(), colour.status(), pattern.status()}) {
    if (!s.ok()) return s;
  }
  r.hiou_at_offset_on_val = *on_val;
  r.seen_score_offset = *offset;
  r.unseen_pixels_right_colour = *colour;
  r.unseen_pixels_right_pattern = *pattern;
  return r;
}

std::vector<std::pair<std::string, double>> NumericFields(const EvalRecord& r) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [key, field] : Headline()) out.emplace_back(key, r.*field);
  out.emplace_back("images", static_cast<double>(r.images));
  for (const auto& [key, value] : Trailing(r)) {
    if (value.is_number()) out.emplace_back(key, value.get<double>());
    if (value.is_null()) out.emplace_back(key, NAN);
  }
  return out;
}

absl::Status WriteEvalRecord(const std::string& path, const EvalRecord& record) {
  return base::WriteFileAtomically(path, ToJson(record).dump(2) + "\n");
}

absl::StatusOr<EvalRecord> ReadEvalRecord(const std::string& path) {
  absl::StatusOr<nlohmann::json> j = ReadJsonObjectFile(path);
  if (!j.ok()) return j.status();
  return EvalRecordFromJson(*j, path);
}

}  // namespace zegclip::report
