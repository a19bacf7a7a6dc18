// Loading a sweep file (sweep.proto): parse, expand the axes and seeds into points, and resolve and validate every
// point's experiment up front, so a mistake in point 7 of 8 is reported before point 1 trains for a day.
//
// Example:
//   absl::StatusOr<SweepPlan> plan = LoadSweep("experiments/sweeps/voc_ablation.pbtxt", {"data.root=/voc"});
//   if (!plan.ok()) { std::cerr << plan.status().message() << "\n"; return 1; }
//   for (const SweepPoint& p : plan->points) Train(p.experiment, work_dir + "/" + p.name);
#ifndef ZEGCLIP_CONFIG_SWEEP_LOADER_H_
#define ZEGCLIP_CONFIG_SWEEP_LOADER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "zegclip/config/experiment.pb.h"
#include "zegclip/config/sweep.pb.h"

namespace zegclip::config {

struct SweepPoint {
  // Readable and filesystem-safe: "encoder=FINETUNE__loss=EL__query=TEXT__seed=1" (axis order, seed last).
  std::string name;
  // (axis name, value) in axis order, then ("seed", N) when the sweep has seeds.
  std::vector<std::pair<std::string, std::string>> values;
  // "field=value" assignments on top of the base file, in the order they apply: the sweep's `overrides`, the
  // caller's extra overrides, the axis values, "seed=N".
  std::vector<std::string> overrides;
  // The resolved experiment (filled by LoadSweep only): base file + overrides, defaults filled, validated.
  Experiment experiment;
};

struct SweepPlan {
  Sweep sweep;
  std::string base_path;  // the base experiment file, resolved against the sweep file's folder
  std::vector<SweepPoint> points;
};

// Parses `text` (protobuf text format); syntax errors name `source_name`, line and column (1-based).
absl::StatusOr<Sweep> ParseSweepText(const std::string& text, const std::string& source_name);

// Expands the axes (PRODUCT or ZIP) and seeds into named points with their overrides, without reading any file.
// Checks the sweep's structure: at least one axis or seed, every axis names an existing scalar or repeated field
// and has values, unique axis names, ZIP axes of equal length, unique point names, and no `extra_overrides` entry
// on a field an axis varies. Experiments are left empty. Errors start with the axis or field they concern.
absl::StatusOr<std::vector<SweepPoint>> ExpandSweep(const Sweep& sweep,
                                                    const std::vector<std::string>& extra_overrides);

// Reads `path`, expands it (extra_overrides are the command line's --set values) and loads every point's experiment
// with LoadExperiment. Every error starts with `path`; a point's error also names the point, e.g.
// "sweeps/a.pbtxt: point 'lr=-1' (2 of 3): ../voc_inductive.pbtxt: train.lr: -1 is not allowed (> 0)".
absl::StatusOr<SweepPlan> LoadSweep(const std::string& path, const std::vector<std::string>& extra_overrides);

}  // namespace zegclip::config

#endif  // ZEGCLIP_CONFIG_SWEEP_LOADER_H_
