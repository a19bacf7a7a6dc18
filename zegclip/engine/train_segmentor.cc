#include "zegclip/engine/train_segmentor.h"

#include <torch/csrc/autograd/grad_mode.h>

#include "zegclip/engine/dataset_factory.h"
#include "zegclip/engine/evaluate.h"
#include "zegclip/engine/experiment_options.h"
#include "zegclip/engine/progress_bar.h"
#include "zegclip/engine/resumable_loader.h"
#include "zegclip/engine/run_records.h"
#include "zegclip/engine/segmentor_builder.h"
#include "zegclip/train/checkpoint.h"
#include "zegclip/train/profiler_hook.h"
#include "zegclip/train/segmentation_step.h"

namespace zegclip::engine {

namespace {

// Metrics of a periodic evaluation during training (rank-reduced by the evaluator).
train::EvalFn PeriodicEval(const config::Experiment& e, SegmentorSetup& setup, const data::Dataset& val,
                           distributed::Communicator& comm) {
  return [&e, &setup, &val, &comm](int64_t) -> absl::StatusOr<std::map<std::string, double>> {
    eval::EvaluatorOptions options = EvaluatorOptionsFrom(e);
    options.examples = 0;
    absl::StatusOr<eval::EvalResult> r = eval::Evaluate(
        val, data::TestPipeline(TestTransformsFrom(e.data(), e.eval())), setup.LogitsFn(), comm, options);
    if (!r.ok()) return r.status();
    return std::map<std::string, double>{{"val_mIoU_seen", r->metrics.miou_seen},
                                         {"val_mIoU_unseen", r->metrics.miou_unseen},
                                         {"val_hIoU", r->metrics.hiou}};
  };
}

absl::Status RunTraining(const config::Experiment& e, const StageOptions& stage, SegmentorSetup& setup,
                         const data::Dataset& val, RunRecords& records, distributed::Communicator& comm) {
  const std::string& work_dir = stage.work_dir;
  train::ParamGroups groups =
      train::ParamGroups::Build(train::NamedParameters(*setup.model), ParamGroupOptionsFrom(e.train()));
  std::unique_ptr<torch::optim::AdamW> optimizer = groups.MakeAdamW();
  train::LrSchedule schedule(ScheduleFrom(e.train()));
  train::TrainerOptions trainer_options = TrainerOptionsFrom(e, work_dir);
  trainer_options.resume = stage.resume;
  train::Trainer trainer(trainer_options, *setup.model, *optimizer, groups, schedule, comm);
  absl::StatusOr<std::shared_ptr<const data::Dataset>> dataset = MakeDataset(e, "train");
  if (!dataset.ok()) return dataset.status();
  // Before the records: a loader that cannot start leaves the run's records as they were.
  auto loader = std::make_unique<ResumableLoader>(*dataset, data::TrainPipeline(TrainTransformsFrom(e.data())),
                                                  TrainLoaderOptionsFrom(e, comm));
  ResumableLoader* batches = loader.get();
  trainer.AddHook(std::move(loader));
  trainer.AddHook(records.RecordingHook());
  if (!stage.profile_dir.empty()) {
    trainer.AddHook(std::make_unique<train::ProfilerHook>(train::ProfilerOptions{stage.profile_dir}, comm.is_main()));
  }
  trainer.AddHook(std::make_unique<ProgressBar>("zegclip", e.train().max_iters(), comm.is_main()));
  trainer.AddHook(std::make_unique<train::EvalHook>(e.train().eval_interval(), PeriodicEval(e, setup, val, comm)));
  train::SegmentationStep step(setup.model, setup.class_embeddings, StepOptionsFrom(e),
                               [&comm](double n) { return comm.AllReduceMean(n); });
  return trainer.Run([batches] { return batches->Next(); }, step);
}

}  // namespace

absl::StatusOr<EvalSummary> TrainSegmentor(const config::Experiment& e, const StageOptions& stage,
                                           distributed::Communicator& comm) {
  const std::string& work_dir = stage.work_dir;
  // Locked for the whole stage (training and the final evaluation); a resume that would change what the run trains
  // is refused here, before anything is built, and the records are written once the resume point has loaded.
  absl::StatusOr<std::unique_ptr<RunRecords>> records = RunRecords::Open(
      {work_dir, "train", config::ResumeStage::kTrain, stage.resume, stage.invocation, comm.is_main()}, e);
  if (!records.ok()) return records.status();
  report::RunManifest manifest = report::StartManifest(stage.invocation, "train", e.seed());
  absl::StatusOr<std::unique_ptr<SegmentorSetup>> setup = SegmentorSetup::Create(e, comm);
  if (!setup.ok()) return setup.status();
  if (!e.train().init_checkpoint().empty()) {
    train::TrainingState ignored;
    absl::Status loaded = train::LoadCheckpoint(e.train().init_checkpoint(), *(*setup)->model, nullptr, &ignored);
    if (!loaded.ok()) return loaded;
  }
  absl::StatusOr<std::shared_ptr<const data::Dataset>> val = MakeDataset(e, "val");
  if (!val.ok()) return val.status();
  absl::Status trained = RunTraining(e, stage, **setup, **val, **records, comm);
  if (!trained.ok()) return trained;
  (*setup)->model->eval();
  return FinalEvaluation(e, work_dir, (*setup)->LogitsFn(), **val, (*setup)->class_names, comm, manifest,
                         train::Trainer::CheckpointPath(work_dir, e.train().max_iters()));
}

}  // namespace zegclip::engine
