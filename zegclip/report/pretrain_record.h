// pretrain.json: what `zegclip pretrain-clip` leaves beside clip.pt, with its one writer and one reader (quickstart
// reuses a finished pre-training through it; the report script prints it).
//
// Layout: "checkpoint", "vocabulary" (paths), "retrieval_images" (count), "retrieval_top1", "retrieval_top1_seen",
// "retrieval_top1_unseen" (image→text top-1, percent), "unseen_right_colour", "unseen_right_pattern" (percent of
// unseen images whose retrieved caption has the right colour / pattern).
//
// Example:
//   absl::Status s = WritePretrainRecord("runs/q/clip/pretrain.json", record);
#ifndef ZEGCLIP_REPORT_PRETRAIN_RECORD_H_
#define ZEGCLIP_REPORT_PRETRAIN_RECORD_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace zegclip::report {

struct PretrainRecord {
  std::string checkpoint;   // clip.pt
  std::string vocabulary;   // world_bpe.txt.gz
  int64_t retrieval_images = 0;
  double retrieval = 0, retrieval_seen = 0, retrieval_unseen = 0;  // image→text top-1, percent
  double unseen_colour = 0, unseen_pattern = 0;                    // attribute right on unseen images, percent
};

nlohmann::ordered_json ToJson(const PretrainRecord& record);
// Errors name `source` and the field.
absl::StatusOr<PretrainRecord> PretrainRecordFromJson(const nlohmann::json& json, const std::string& source);

absl::Status WritePretrainRecord(const std::string& path, const PretrainRecord& record);
absl::StatusOr<PretrainRecord> ReadPretrainRecord(const std::string& path);

}  // namespace zegclip::report

#endif  // ZEGCLIP_REPORT_PRETRAIN_RECORD_H_
