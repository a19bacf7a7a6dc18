#include "zegclip/report/pretrain_record.h"

#include <utility>
#include <vector>

#include "zegclip/base/atomic_file.h"
#include "zegclip/report/record_json.h"

namespace zegclip::report {
namespace {

std::vector<std::pair<const char*, double PretrainRecord::*>> Percentages() {
  return {{"retrieval_top1", &PretrainRecord::retrieval},
          {"retrieval_top1_seen", &PretrainRecord::retrieval_seen},
          {"retrieval_top1_unseen", &PretrainRecord::retrieval_unseen},
          {"unseen_right_colour", &PretrainRecord::unseen_colour},
          {"unseen_right_pattern", &PretrainRecord::unseen_pattern}};
}

}  // namespace

nlohmann::ordered_json ToJson(const PretrainRecord& r) {
  nlohmann::ordered_json j;
  j["checkpoint"] = r.checkpoint;
  j["vocabulary"] = r.vocabulary;
  j["retrieval_images"] = r.retrieval_images;
  for (const auto& [key, field] : Percentages()) j[key] = NumberOrNull(r.*field);
  return j;
}

absl::StatusOr<PretrainRecord> PretrainRecordFromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) return absl::InvalidArgumentError(source + ": not a JSON object");
  PretrainRecord r;
  absl::StatusOr<std::string> checkpoint = ReadString(j, "checkpoint", /*required=*/true, source);
  if (!checkpoint.ok()) return checkpoint.status();
  absl::StatusOr<std::string> vocabulary = ReadString(j, "vocabulary", /*required=*/true, source);
  if (!vocabulary.ok()) return vocabulary.status();
  absl::StatusOr<int64_t> images = ReadCount(j, {"retrieval_images", /*required=*/true}, source);
  if (!images.ok()) return images.status();
  r.checkpoint = *checkpoint;
  r.vocabulary = *vocabulary;
  r.retrieval_images = *images;
  for (const auto& [key, field] : Percentages()) {
    absl::StatusOr<double> x = ReadNumber(j, {key, /*required=*/true}, source);
    if (!x.ok()) return x.status();
    r.*field = *x;
  }
  return r;
}

absl::Status WritePretrainRecord(const std::string& path, const PretrainRecord& record) {
  return base::WriteFileAtomically(path, ToJson(record).dump(2) + "\n");
}

absl::StatusOr<PretrainRecord> ReadPretrainRecord(const std::string& path) {
  absl::StatusOr<nlohmann::json> j = ReadJsonObjectFile(path);
  if (!j.ok()) return j.status();
  return PretrainRecordFromJson(*j, path);
}

}  // namespace zegclip::report
