// eval.json and pretrain.json: the writer's bytes equal the golden files (which make_report_test.sh feeds to the
// report script), the reader gives the record back, older files with numbers as strings still read, and every
// malformed field is one error naming the file and the key.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "zegclip/report/eval_record.h"
#include "zegclip/report/pretrain_record.h"
#include "zegclip/testing/temp_path.h"

namespace zegclip::report {
namespace {

using ::zegclip::testing::TempPath;

constexpr char kEvalGolden[] = "zegclip/report/testdata/eval_record_golden.json";
constexpr char kPretrainGolden[] = "zegclip/report/testdata/pretrain_record_golden.json";

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string WriteText(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The record behind testdata/eval_record_golden.json: every field set, one class never present (null IoU).
EvalRecord GoldenEval() {
  EvalRecord r;
  r.pixel_accuracy = 91.5;
  r.mean_accuracy = 70.5;
  r.miou = 60.0;
  r.miou_seen = 72.0;
  r.miou_unseen = 41.5;
  r.hiou = 52.5;
  r.images = 120;
  r.classes = {{"red circle", true, 80.5, 90.0}, {"blue square", false, 41.5, 55.25}, {"green star", false, NAN, NAN}};
  r.checkpoint = "runs/q/zegclip/iter_300.ckpt";
  r.seen_score_offset = 0.1;
  r.calibration = HeldOutCalibration{"calib", 40, 0.1, 53.5, {{0.0, 50.0}, {0.1, 53.5}, {0.2, 51.25}}};
  r.hiou_at_offset_on_val = {{0.0, 49.75}, {0.1, 52.5}};
  r.unseen_pixels_right_colour = 70.5;
  r.unseen_pixels_right_pattern = 33.25;
  return r;
}

PretrainRecord GoldenPretrain() {
  return {"runs/q/clip/clip.pt", "runs/q/clip/world_bpe.txt.gz", 360, 87.5, 95.0, 62.5, 90.0, 64.5};
}

TEST(EvalRecord, WritesTheGoldenFileByteForByte) {
  const std::string path = TempPath("eval.json");
  ASSERT_TRUE(WriteEvalRecord(path, GoldenEval()).ok());
  EXPECT_EQ(FileText(path), FileText(kEvalGolden));
}

TEST(EvalRecord, ReadsTheGoldenFileBack) {
  absl::StatusOr<EvalRecord> r = ReadEvalRecord(kEvalGolden);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(ToJson(*r), ToJson(GoldenEval()));
  EXPECT_EQ(r->hiou, 52.5);
  EXPECT_EQ(r->images, 120);
  ASSERT_EQ(r->classes.size(), 3u);
  EXPECT_FALSE(r->classes[1].seen);
  EXPECT_TRUE(std::isnan(r->classes[2].iou));
  ASSERT_TRUE(r->calibration.has_value());
  EXPECT_EQ(r->calibration->images, 40);
  ASSERT_EQ(r->calibration->hiou_at_offset.size(), 3u);
  EXPECT_EQ(r->calibration->hiou_at_offset[2].offset, 0.2);
  EXPECT_EQ(r->calibration->hiou_at_offset[2].hiou, 51.25);
}

TEST(EvalRecord, ReadsOlderFilesWithNumbersAsStrings) {
  const std::string path = WriteText("old_eval.json", R"({"pAcc": 90.0, "hIoU": null, "images": 4, "classes": [],
      "calibration_split": "calib", "calibration_images": "6", "calibration_chosen_offset": "0.100",
      "calibration_chosen_hIoU": "51.50", "calibration_hIoU_at_offset_0.100": "51.50", "hIoU_at_offset_0.000": "48.00",
      "seen_score_offset": "0.100", "unseen_pixels_right_colour": "69.8", "unseen_pixels_right_pattern": "20.1"})");
  absl::StatusOr<EvalRecord> r = ReadEvalRecord(path);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::isnan(r->hiou));
  EXPECT_EQ(r->calibration->images, 6);
  EXPECT_EQ(r->calibration->chosen_hiou, 51.5);
  EXPECT_EQ(r->hiou_at_offset_on_val.at(0).hiou, 48.0);
  EXPECT_EQ(r->seen_score_offset, 0.1);
  EXPECT_EQ(r->unseen_pixels_right_pattern, 20.1);
  // Written back, the same numbers become numbers.
  EXPECT_TRUE(ToJson(*r)["seen_score_offset"].is_number());
}

TEST(EvalRecord, EachMalformedFieldIsOneErrorNamingFileAndKey) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"hIoU": "high"})", "'hIoU' is \"high\", expected a number or null"},
      {R"({"images": 2.5})", "'images' is 2.5, expected a count"},
      {R"({"images": -1})", "'images' is -1, expected a count"},
      {R"({"classes": 3})", "'classes' is not a list"},
      {R"({"classes": [{"seen": true}]})", "classes[0]: 'name' is missing"},
      {R"({"classes": [{"name": "a", "iou": "x"}]})", "classes[0]: 'iou' is \"x\""},
      {R"({"classes": [{"name": "a", "seen": 1}]})", "classes[0]: 'seen' is not true/false"},
      {R"({"calibration_split": "c"})", "'calibration_chosen_offset' is missing"},
      {R"({"hIoU_at_offset_abc": 1})", "key 'hIoU_at_offset_abc' does not end in an offset"},
      {R"({"seen_score_offset": [1]})", "'seen_score_offset' is [1]"},
      {R"([1, 2])", "not a JSON object"},
      {R"({"pAcc": )", "not valid JSON"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string path = WriteText("bad_eval.json", text);
    absl::StatusOr<EvalRecord> r = ReadEvalRecord(path);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(std::string(r.status().message()).find(path), std::string::npos) << r.status();
    EXPECT_NE(std::string(r.status().message()).find(expected), std::string::npos) << r.status();
  }
  absl::StatusOr<EvalRecord> missing = ReadEvalRecord(TempPath("none/eval.json"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(EvalRecord, NumericFieldsAreHeadlineThenTheRestInKeyOrder) {
  const std::vector<std::pair<std::string, double>> f = NumericFields(GoldenEval());
  std::vector<std::string> keys;
  for (const auto& [key, value] : f) keys.push_back(key);
  const std::vector<std::string> expected = {
      "pAcc", "mAcc", "mIoU", "mIoU_seen", "mIoU_unseen", "hIoU", "images", "calibration_chosen_hIoU",
      "calibration_chosen_offset", "calibration_hIoU_at_offset_0.000", "calibration_hIoU_at_offset_0.100",
      "calibration_hIoU_at_offset_0.200", "calibration_images", "hIoU_at_offset_0.000", "hIoU_at_offset_0.100",
      "seen_score_offset", "unseen_pixels_right_colour", "unseen_pixels_right_pattern"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(f[6].second, 120);
}

TEST(PretrainRecord, WritesAndReadsTheGoldenFile) {
  const std::string path = TempPath("pretrain.json");
  ASSERT_TRUE(WritePretrainRecord(path, GoldenPretrain()).ok());
  EXPECT_EQ(FileText(path), FileText(kPretrainGolden));
  absl::StatusOr<PretrainRecord> r = ReadPretrainRecord(kPretrainGolden);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(ToJson(*r), ToJson(GoldenPretrain()));
}

TEST(PretrainRecord, MissingOrMistypedFieldsAreErrors) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, std::string>>{
           {R"({"vocabulary": "v", "retrieval_images": 1})", "'checkpoint' is missing"},
           {R"({"checkpoint": 1})", "'checkpoint' is 1, expected a string"},
           {R"({"checkpoint": "c", "vocabulary": "v", "retrieval_images": 3, "retrieval_top1": "87"})",
            "'retrieval_top1' is \"87\", expected a number or null"}}) {
    const std::string path = WriteText("bad_pretrain.json", text);
    absl::StatusOr<PretrainRecord> r = ReadPretrainRecord(path);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(std::string(r.status().message()).find(expected), std::string::npos) << r.status();
  }
}

}  // namespace
}  // namespace zegclip::report
