#include "zegclip/engine/evaluate.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/engine/dataset_factory.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/report_script.h"
#include "zegclip/engine/run_directory.h"
#include "zegclip/engine/run_records.h"
#include "zegclip/engine/seen_offset_calibration.h"
#include "zegclip/engine/segmentor_builder.h"
#include "zegclip/engine/synthetic_attributes.h"
#include "zegclip/base/path_check.h"
#include "zegclip/train/checkpoint.h"

namespace zegclip::engine {

absl::StatusOr<EvalSummary> FinalEvaluation(const config::Experiment& e, const std::string& work_dir,
                                            const model::LogitsFn& logits_fn, const data::Dataset& val,
                                            const std::vector<std::string>& class_names, distributed::Communicator& comm,
                                            report::RunManifest& manifest, const std::string& checkpoint) {
  eval::EvaluatorOptions options = EvaluatorOptionsFrom(e);
  const data::SampleTransform pipeline = data::TestPipeline(TestTransformsFrom(e.data(), e.eval()));
  // With eval.calibration_split set, the seen-score offset is chosen there (held out from val).
  absl::StatusOr<CalibratedEvaluation> calibrated =
      EvaluateWithSeenCalibration(e, val, pipeline, logits_fn, comm, options);
  if (!calibrated.ok()) return calibrated.status();
  const eval::EvalResult& result = calibrated->result;
  EvalSummary summary{EvalRecordOf(result, class_names, options.split.seen), work_dir + "/eval.json"};
  report::EvalRecord& record = summary.record;
  record.checkpoint = checkpoint;
  RecordCalibration(*calibrated, record);
  // For reference only: each candidate's hIoU measured on val itself (choosing by these would overstate hIoU).
  if (!e.eval().offset_candidates().empty()) {
    std::vector<double> candidates(e.eval().offset_candidates().begin(), e.eval().offset_candidates().end());
    absl::StatusOr<std::vector<std::pair<double, double>>> sweep =
        eval::SweepSeenOffset(val, pipeline, logits_fn, comm, options, candidates);
    if (!sweep.ok()) return sweep.status();
    for (const auto& [offset, hiou] : *sweep) record.hiou_at_offset_on_val.push_back({AsConfigured(offset), hiou});
  }
  if (e.data().dataset() == config::SYNTHETIC) {
    std::tie(record.unseen_pixels_right_colour, record.unseen_pixels_right_pattern) =
        UnseenAttributeShares(result.counts, options.split.unseen,
                              data::SyntheticLabelCompositions(WorldOptionsFrom(e)));
  }
  if (comm.is_main()) {
    absl::Status s = report::WriteEvalRecord(summary.eval_json, record);
    if (s.ok()) s = eval::WriteExamples(result.examples, work_dir + "/examples");
    manifest.world_size = comm.size();
    manifest.backend = comm.backend();
    manifest.threads = at::get_num_threads();
    manifest.extra["checkpoint"] = checkpoint;
    report::FinishManifest(&manifest);
    if (s.ok()) s = report::WriteManifest(manifest, work_dir + "/manifest.json");
    if (!s.ok()) return s;
    if (absl::Status report = RunReportScript({work_dir}); !report.ok()) return report;
  }
  comm.Barrier();
  return summary;
}

config::Experiment BaselineExperiment(config::Experiment e) {
  e.mutable_model()->set_encoder_mode(config::FROZEN);
  return e;
}

absl::StatusOr<EvalSummary> Evaluate(const config::Experiment& experiment, const EvalTarget& target,
                                     const StageOptions& stage, distributed::Communicator& comm) {
  const std::string& work_dir = stage.work_dir;
  config::Experiment e = experiment;
  const bool authors = !target.authors_checkpoint.empty();
  const std::string& checkpoint = authors ? target.authors_checkpoint : target.checkpoint;
  const bool baseline = !authors && checkpoint == "baseline";
  if (baseline) e = BaselineExperiment(e);
  if (comm.is_main()) {
    absl::Status s = CheckNotATrainingRun(work_dir, "--work_dir", "eval",
                                          "replace its config.pbtxt, manifest.json and eval.json");
    if (!s.ok()) return s;
  }
  absl::StatusOr<std::unique_ptr<RunRecords>> records =
      RunRecords::Open({work_dir, "eval", std::nullopt, false, stage.invocation, comm.is_main()}, e);
  if (!records.ok()) return records.status();
  report::RunManifest manifest = report::StartManifest(stage.invocation, "eval", e.seed());
  absl::StatusOr<std::unique_ptr<SegmentorSetup>> setup = SegmentorSetup::Create(e, comm, target.authors_checkpoint);
  if (!setup.ok()) return setup.status();
  if (!baseline && !authors) {
    // Said before loading: an unreadable file would otherwise read as a corrupt checkpoint.
    if (absl::Status s = base::CheckReadableFile(checkpoint, "--checkpoint"); !s.ok()) return s;
    train::TrainingState state;
    absl::Status loaded = train::LoadCheckpoint(checkpoint, *(*setup)->model, nullptr, &state);
    if (!loaded.ok()) return loaded;
  } else {
    e.mutable_model()->set_seen_score_offset(0);  // no training, so no seen bias to calibrate
  }
  (*setup)->model->eval();
  // Written once the model has loaded: a checkpoint that fails to load leaves the folder as it was.
  if (absl::Status s = (*records)->Record(0); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const data::Dataset>> val = MakeDataset(e, "val");
  if (!val.ok()) return val.status();
  if (baseline) e.mutable_model()->mutable_loss()->set_kind(config::EL);  // softmax over cosine similarities
  return FinalEvaluation(e, work_dir, baseline ? (*setup)->DenseSimilarityFn() : (*setup)->LogitsFn(), **val,
                         (*setup)->class_names, comm, manifest,
                         baseline  ? "baseline (training-free dense similarity)"
                         : authors ? absl::StrCat("authors' ", checkpoint)
                                   : checkpoint);
}

}  // namespace zegclip::engine
