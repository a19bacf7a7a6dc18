// The seen-score offset is chosen on a held-out split and then applied on val (zegclip/engine/evaluate.h):
// stub datasets whose green channel sets how much a seen class is inflated on unseen pixels, and the synthetic
// world's "calib" stream through EvaluateWithSeenCalibration as FinalEvaluation calls it.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>

#include "data/synthetic_world.h"
#include "zegclip/engine/dataset_factory.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/evaluate.h"
#include "zegclip/engine/seen_offset_calibration.h"
#include "zegclip/distributed/single_communicator.h"

namespace zegclip::engine {
namespace {

// 8x12 images with four 3-column stripes of classes (x / 3 + index) % 4 (row 0 ignored). The red channel encodes the
// class (40 * class) and the green channel the inflation `green(index)` the stub model gives a seen class.
class CodedDataset : public data::Dataset {
 public:
  CodedDataset(int64_t size, std::function<int(int64_t)> green, int64_t stripes = 4)
      : size_(size), green_(std::move(green)), stripes_(stripes) {}
  int64_t size() const override { return size_; }
  absl::StatusOr<data::Sample> Get(int64_t index) const override {
    data::Sample s;
    s.label = at::zeros({8, 12}, at::kByte);
    for (int64_t x = 0; x < 12; ++x) s.label.select(1, x).fill_((x / 3 + index) % stripes_);
    s.image = at::zeros({8, 12, 3}, at::kByte);
    s.image.select(2, 0).copy_(s.label.to(at::kInt).mul(40).to(at::kByte));
    s.image.select(2, 1).fill_(green_(index));
    s.label.index_put_({0}, 255);
    s.id = "img" + std::to_string(index);
    return s;
  }

 private:
  int64_t size_;
  std::function<int(int64_t)> green_;
  int64_t stripes_;
};

data::SampleTransform Identity() {
  return [](data::Sample s, data::SampleRng&) -> absl::StatusOr<data::TransformedSample> {
    return data::TransformedSample{s.image.permute({2, 0, 1}).to(at::kFloat), s.label.to(at::kLong), "", s.id};
  };
}

// Right class at logit 2, others 0; on unseen pixels seen class 0 gets 2 + green / 100, so under sigmoid scores it
// wins unless the offset exceeds sigmoid(2 + green / 100) - sigmoid(2): 0.0195 for green 20, 0.0718 for green 100.
at::Tensor InflatedSeen(const at::Tensor& images) {
  at::Tensor cls = (images.select(1, 0) / 40).round().to(at::kLong).clamp(0, 3);
  at::Tensor logits = at::one_hot(cls, 4).permute({0, 3, 1, 2}).to(at::kFloat) * 2;
  logits.select(1, 0).add_(cls.ge(2).to(at::kFloat) * (2 + images.select(1, 1) / 100));
  return logits;
}

eval::EvaluatorOptions Options() {
  eval::EvaluatorOptions o;
  o.split = {4, {0, 1}, {2, 3}, model::Setting::kInductive};
  o.seen_offset = 0.5;  // the configured fallback: must not be what val is measured with once calibrated
  o.batch_size = 3;
  return o;
}

TEST(SeenOffsetCalibration, ChosenOnHeldOutSplitThenAppliedOnVal) {
  distributed::SingleCommunicator comm;
  // Held out: mild inflation everywhere (0.03 and 0.1 both fix it: a tie, so the smaller wins). Only its first 4 of
  // 6 images are used. Val: odd images are inflated more than 0.03 can undo.
  CodedDataset held_out(6, [](int64_t) { return 20; });
  CodedDataset val(4, [](int64_t i) { return i % 2 ? 100 : 20; });
  CalibrationOptions calibration{"calib", 4, {0.1, 0.03, 0, 0.01}};
  absl::StatusOr<CalibratedEvaluation> r =
      EvaluateCalibrated(val, &held_out, Identity(), InflatedSeen, comm, Options(), calibration);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->calibration.has_value());
  const OffsetCalibration& c = *r->calibration;
  EXPECT_EQ(c.split, "calib");
  EXPECT_EQ(c.images, 4);
  ASSERT_EQ(c.hiou_at_offset.size(), 4u);
  // Offsets 0 and 0.01 leave every unseen pixel to class 0: unseen mIoU 0, so hIoU 0.
  const std::vector<std::pair<double, double>> expected = {{0.1, 100}, {0.03, 100}, {0, 0}, {0.01, 0}};
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_DOUBLE_EQ(c.hiou_at_offset[k].first, expected[k].first);
    EXPECT_NEAR(c.hiou_at_offset[k].second, expected[k].second, 1e-9) << "offset " << expected[k].first;
  }
  EXPECT_DOUBLE_EQ(c.offset, 0.03);
  EXPECT_DOUBLE_EQ(c.hiou, 100);
  EXPECT_DOUBLE_EQ(r->seen_offset, 0.03);
  EXPECT_EQ(FormatCalibration(c), "calibration on calib (4 images): chose offset 0.03 (hIoU 100.00)");

  // Val at 0.03: the odd images' unseen pixels go to class 0, so IoU(0) = 1/2, IoU(1) = 1, IoU(2) = IoU(3) = 1/2:
  // seen 75, unseen 50, hIoU 60. The same numbers as evaluating val directly with offset 0.03.
  EXPECT_EQ(r->result.images, 4);
  EXPECT_NEAR(r->result.metrics.miou_seen, 75, 1e-9);
  EXPECT_NEAR(r->result.metrics.miou_unseen, 50, 1e-9);
  EXPECT_NEAR(r->result.metrics.hiou, 60, 1e-9);
  eval::EvaluatorOptions direct = Options();
  direct.seen_offset = 0.03;
  absl::StatusOr<eval::EvalResult> reference = eval::Evaluate(val, Identity(), InflatedSeen, comm, direct);
  ASSERT_TRUE(reference.ok());
  EXPECT_TRUE(r->result.counts.equal(reference->counts));
  EXPECT_DOUBLE_EQ(r->result.metrics.hiou, reference->metrics.hiou);

  // Choosing on val itself would have picked 0.1 (hIoU 100 there): the held-out choice is what keeps it honest.
  absl::StatusOr<std::vector<std::pair<double, double>>> on_val =
      eval::SweepSeenOffset(val, Identity(), InflatedSeen, comm, Options(), {0.03, 0.1});
  ASSERT_TRUE(on_val.ok());
  EXPECT_NEAR((*on_val)[0].second, 60, 1e-9);
  EXPECT_NEAR((*on_val)[1].second, 100, 1e-9);
}

TEST(SeenOffsetCalibration, WithoutHeldOutSplitTheConfiguredOffsetIsUsed) {
  distributed::SingleCommunicator comm;
  CodedDataset val(4, [](int64_t i) { return i % 2 ? 100 : 20; });
  eval::EvaluatorOptions options = Options();
  options.seen_offset = 0.1;
  absl::StatusOr<CalibratedEvaluation> r =
      EvaluateCalibrated(val, nullptr, Identity(), InflatedSeen, comm, options, {"", 0, {0, 0.03}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->calibration.has_value());
  EXPECT_DOUBLE_EQ(r->seen_offset, 0.1);
  EXPECT_NEAR(r->result.metrics.hiou, 100, 1e-9);
}

TEST(SeenOffsetCalibration, HeldOutSplitWithoutUnseenPixelsIsAnError) {
  distributed::SingleCommunicator comm;
  CodedDataset seen_only(3, [](int64_t) { return 20; }, /*stripes=*/2);  // classes 0 and 1 only
  absl::StatusOr<OffsetCalibration> c =
      ChooseSeenOffset(seen_only, Identity(), InflatedSeen, comm, Options(), {"heldout", 0, {0, 0.1}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "eval.calibration_split 'heldout': no offset candidate has an hIoU on its 3 images (it needs labelled seen "
            "and unseen pixels)");
}

// ---- the synthetic world, as FinalEvaluation runs it

// 32x32 synthetic world, 8 val images, "calib" held out, NEL scores; 8 unseen compositions as in the quickstart.
config::Experiment SyntheticExperiment() {
  config::Experiment e;
  e.set_seed(3);
  config::DataConfig* d = e.mutable_data();
  d->set_dataset(config::SYNTHETIC);
  for (const char* name : {"red dotted", "green checkered", "blue plain", "yellow horizontal", "purple vertical",
                           "orange diagonal", "red horizontal", "blue checkered"}) {
    d->add_unseen_classes(name);
  }
  d->mutable_synthetic()->set_image_size(32);
  d->mutable_synthetic()->set_val_images(8);
  d->mutable_synthetic()->set_min_object_size(10);
  d->mutable_synthetic()->set_max_object_size(24);
  e.mutable_model()->mutable_loss()->set_kind(config::NEL);
  e.mutable_model()->set_seen_score_offset(0.5);
  config::EvalConfig* v = e.mutable_eval();
  v->set_mode(config::WHOLE);
  v->set_calibration_split("calib");
  v->set_calibration_images(6);
  for (float offset : {0.f, 0.02f, 0.05f, 0.1f, 0.3f}) v->add_offset_candidates(offset);
  return e;
}

// A colour-only model: every class of the pixel's colour scores about 1, the seen ones a colour-dependent margin
// above the unseen ones, so growing offsets hand more colours' pixels to their unseen classes.
at::Tensor ColourModel(const at::Tensor& images) {
  const int64_t b = images.size(0), h = images.size(2), w = images.size(3);
  const std::vector<std::string> unseen = {"red dotted", "green checkered", "blue plain", "yellow horizontal",
                                           "purple vertical", "orange diagonal", "red horizontal", "blue checkered"};
  at::Tensor logits = at::empty({b, data::SyntheticClassCount(), h, w});
  for (int64_t colour = 0; colour < 6; ++colour) {
    const std::array<uint8_t, 3> rgb = data::SyntheticColourRgb(colour);
    at::Tensor base = at::tensor({float(rgb[0]), float(rgb[1]), float(rgb[2])}).view({1, 3, 1, 1});
    at::Tensor distance =
        at::minimum((images - base).norm(2, 1), (images - base * data::kSyntheticDarkShade).norm(2, 1)) / 40;
    for (int64_t pattern = 0; pattern < 6; ++pattern) {
      const int64_t id = data::SyntheticClassId(colour, pattern);
      const bool is_unseen =
          std::find(unseen.begin(), unseen.end(), data::SyntheticClassName(id)) != unseen.end();
      // Seen: 1 - pattern / 100 (pattern 0 first); unseen: 0.05, 0.15, ..., 0.55 below 1 for colours 0..5.
      const double bias = is_unseen ? 0.95 - 0.1 * colour : 1 - pattern / 100.0;
      logits.select(1, id).copy_(bias - distance);
    }
  }
  return logits;
}

TEST(SeenOffsetCalibration, SyntheticWorldCalibStreamChoosesTheOffsetFinalEvaluationUses) {
  distributed::SingleCommunicator comm;
  const config::Experiment e = SyntheticExperiment();
  absl::StatusOr<std::shared_ptr<const data::Dataset>> val = MakeDataset(e, "val");
  ASSERT_TRUE(val.ok()) << val.status();
  absl::StatusOr<std::shared_ptr<const data::Dataset>> calib = MakeCalibrationDataset(e);
  ASSERT_TRUE(calib.ok()) << calib.status();
  ASSERT_EQ((*calib)->size(), 6);
  // Its own stream: not the validation images.
  EXPECT_FALSE((*(*calib)->Get(0)).image.equal((*(*val)->Get(0)).image));

  const eval::EvaluatorOptions options = EvaluatorOptionsFrom(e);
  absl::StatusOr<CalibratedEvaluation> r =
      EvaluateWithSeenCalibration(e, **val, Identity(), ColourModel, comm, options);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->calibration.has_value());
  report::EvalRecord record;
  RecordCalibration(*r, record);
  ASSERT_TRUE(record.calibration.has_value());
  EXPECT_EQ(record.calibration->split, "calib");
  EXPECT_EQ(record.calibration->images, 6);
  // The recorded choice is the best recorded hIoU on calib (smallest offset among ties), one row per candidate in
  // ascending order.
  double best_offset = -1, best_hiou = -1;
  ASSERT_EQ(record.calibration->hiou_at_offset.size(), static_cast<size_t>(e.eval().offset_candidates_size()));
  for (const report::OffsetResult& row : record.calibration->hiou_at_offset) {
    std::cout << "calibration hIoU at offset " << row.offset << " = " << row.hiou << "\n";
    if (row.hiou > best_hiou) best_offset = row.offset, best_hiou = row.hiou;
  }
  EXPECT_EQ(record.calibration->chosen_offset, best_offset);
  EXPECT_EQ(record.calibration->chosen_hiou, best_hiou);
  EXPECT_EQ(record.seen_score_offset, best_offset);
  EXPECT_EQ(AsConfigured(static_cast<double>(0.1f)), 0.1);  // the decimal of the config, not the float's expansion
  EXPECT_EQ(AsConfigured(static_cast<double>(0.02f)), 0.02);
  EXPECT_DOUBLE_EQ(r->seen_offset, static_cast<float>(best_offset));
  EXPECT_GT(best_hiou, 0);  // the stub gives the choice something to choose
  std::cout << FormatCalibration(*r->calibration) << "; val hIoU " << r->result.metrics.hiou << "\n";

  // Val is measured with the chosen offset, not model.seen_score_offset (0.5).
  eval::EvaluatorOptions direct = options;
  direct.seen_offset = r->seen_offset;
  absl::StatusOr<eval::EvalResult> reference = eval::Evaluate(**val, Identity(), ColourModel, comm, direct);
  ASSERT_TRUE(reference.ok());
  EXPECT_TRUE(r->result.counts.equal(reference->counts));
  EXPECT_DOUBLE_EQ(r->result.metrics.hiou, reference->metrics.hiou);
  EXPECT_GT(r->result.metrics.hiou, 0);
  direct.seen_offset = 0.5;
  absl::StatusOr<eval::EvalResult> fallback = eval::Evaluate(**val, Identity(), ColourModel, comm, direct);
  ASSERT_TRUE(fallback.ok());
  EXPECT_FALSE(r->result.counts.equal(fallback->counts));

  // calibration_images 0: as many images as the validation split.
  config::Experiment all = e;
  all.mutable_eval()->set_calibration_images(0);
  absl::StatusOr<std::shared_ptr<const data::Dataset>> full = MakeCalibrationDataset(all);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ((*full)->size(), 8);
}

TEST(SeenOffsetCalibration, WithoutCalibrationSplitOnlyTheOffsetIsRecorded) {
  distributed::SingleCommunicator comm;
  config::Experiment e = SyntheticExperiment();
  e.mutable_eval()->clear_calibration_split();
  absl::StatusOr<std::shared_ptr<const data::Dataset>> val = MakeDataset(e, "val");
  ASSERT_TRUE(val.ok());
  absl::StatusOr<CalibratedEvaluation> r =
      EvaluateWithSeenCalibration(e, **val, Identity(), ColourModel, comm, EvaluatorOptionsFrom(e));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->calibration.has_value());
  report::EvalRecord record;
  RecordCalibration(*r, record);
  EXPECT_EQ(record.seen_score_offset, 0.5);
  EXPECT_FALSE(record.calibration.has_value());
}

}  // namespace
}  // namespace zegclip::engine
