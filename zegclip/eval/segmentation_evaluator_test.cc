#include "zegclip/eval/segmentation_evaluator.h"

#include <gtest/gtest.h>

#include <fstream>

#include "zegclip/distributed/single_communicator.h"

namespace zegclip::eval {
namespace {

// Images whose red channel encodes the class of each pixel (value = 40 * class); labels are the truth.
class StripeDataset : public data::Dataset {
 public:
  int64_t size() const override { return 5; }
  absl::StatusOr<data::Sample> Get(int64_t index) const override {
    data::Sample s;
    s.label = at::zeros({8, 12}, at::kByte);
    for (int64_t x = 0; x < 12; ++x) s.label.select(1, x).fill_((x / 3 + index) % 4);
    s.label.index_put_({0}, 255);
    s.image = at::zeros({8, 12, 3}, at::kByte);
    s.image.select(2, 0).copy_(s.label.to(at::kInt).mul(40).clamp_max(255).to(at::kByte));
    s.id = "img" + std::to_string(index);
    return s;
  }
};

data::SampleTransform Identity() {
  return [](data::Sample s, data::SampleRng&) -> absl::StatusOr<data::TransformedSample> {
    return data::TransformedSample{s.image.permute({2, 0, 1}).to(at::kFloat), s.label.to(at::kLong), "", s.id};
  };
}

// Perfect model: one-hot logits from the red channel; `confuse` turns class 3 into class 1.
model::LogitsFn Oracle(bool confuse) {
  return [confuse](const at::Tensor& images) {
    at::Tensor cls = (images.select(1, 0) / 40).round().to(at::kLong).clamp(0, 3);
    if (confuse) cls = at::where(cls.eq(3), at::ones_like(cls), cls);
    return at::one_hot(cls, 4).permute({0, 3, 1, 2}).to(at::kFloat) * 8 - 4;
  };
}

EvaluatorOptions Options() {
  EvaluatorOptions o;
  o.split = {4, {0, 1}, {2, 3}, model::Setting::kInductive};
  o.seen_offset = 0;
  o.batch_size = 2;
  o.examples = 2;
  return o;
}

TEST(SegmentationEvaluator, PerfectModelScoresOneHundred) {
  distributed::SingleCommunicator comm;
  absl::StatusOr<EvalResult> r = Evaluate(StripeDataset(), Identity(), Oracle(false), comm, Options());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->images, 5);
  EXPECT_DOUBLE_EQ(r->metrics.pixel_accuracy, 100);
  EXPECT_DOUBLE_EQ(r->metrics.hiou, 100);
  // Row 0 is ignored: 5 images × 7 rows × 12 columns labelled.
  EXPECT_EQ(r->counts.sum().item<int64_t>(), 5 * 7 * 12);
  ASSERT_EQ(r->examples.size(), 2u);
  EXPECT_EQ(r->examples[0].id, "img0");
}

TEST(SegmentationEvaluator, ConfusionShowsUpInUnseenAndSlideMatchesWhole) {
  distributed::SingleCommunicator comm;
  EvaluatorOptions o = Options();
  absl::StatusOr<EvalResult> whole = Evaluate(StripeDataset(), Identity(), Oracle(true), comm, o);
  ASSERT_TRUE(whole.ok());
  // Class 3 → 1: IoU(3) = 0, IoU(1) = 1/2 (as many false positives as true ones), seen mIoU 75, unseen 50.
  EXPECT_DOUBLE_EQ(whole->metrics.class_iou[3], 0);
  EXPECT_NEAR(whole->metrics.class_iou[1], 50, 1e-9);
  EXPECT_NEAR(whole->metrics.miou_seen, 75, 1e-9);
  EXPECT_NEAR(whole->metrics.miou_unseen, 50, 1e-9);
  o.inference.mode = model::InferenceMode::kSlide;
  o.inference.crop = 8;
  o.inference.stride = 4;
  absl::StatusOr<EvalResult> slid = Evaluate(StripeDataset(), Identity(), Oracle(true), comm, o);
  ASSERT_TRUE(slid.ok());
  EXPECT_TRUE(slid->counts.equal(whole->counts));
}

TEST(SegmentationEvaluator, OffsetSweepFindsTheCalibrationThatHelpsUnseen) {
  distributed::SingleCommunicator comm;
  // A model whose unseen scores are slightly below a seen class everywhere the truth is unseen.
  model::LogitsFn biased = [](const at::Tensor& images) {
    at::Tensor cls = (images.select(1, 0) / 40).round().to(at::kLong).clamp(0, 3);
    at::Tensor logits = at::one_hot(cls, 4).permute({0, 3, 1, 2}).to(at::kFloat) * 2;
    logits.select(1, 0).add_(cls.ge(2).to(at::kFloat) * 2.2);  // seen class 0 wins narrowly on unseen pixels
    return logits;
  };
  absl::StatusOr<std::vector<std::pair<double, double>>> sweep =
      SweepSeenOffset(StripeDataset(), Identity(), biased, comm, Options(), {0.0, 0.1});
  ASSERT_TRUE(sweep.ok());
  EXPECT_LT((*sweep)[0].second, 50);
  EXPECT_DOUBLE_EQ((*sweep)[1].second, 100);
}

TEST(SegmentationEvaluator, ExamplesAreWrittenAsNetpbm) {
  distributed::SingleCommunicator comm;
  absl::StatusOr<EvalResult> r = Evaluate(StripeDataset(), Identity(), Oracle(false), comm, Options());
  ASSERT_TRUE(r.ok());
  const std::string dir = std::string(getenv("TEST_TMPDIR")) + "/examples";
  ASSERT_TRUE(WriteExamples(r->examples, dir).ok());
  std::ifstream pgm(dir + "/001_pred.pgm", std::ios::binary);
  std::string magic;
  int w, h, max;
  pgm >> magic >> w >> h >> max;
  EXPECT_EQ(magic, "P5");
  EXPECT_EQ(w, 12);
  EXPECT_EQ(h, 8);
  pgm.get();
  std::string pixels((std::istreambuf_iterator<char>(pgm)), {});
  ASSERT_EQ(pixels.size(), 96u);
  EXPECT_EQ(pixels[8 * 0 + 12 + 0], 1);  // image 1, column 0: class (0 + 1) % 4
}

}  // namespace
}  // namespace zegclip::eval
