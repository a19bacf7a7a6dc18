// AdamW parameter groups from (name, tensor) lists, with per-name lr / weight-decay multipliers, and the per-iteration
// learning-rate update (schedule x multiplier). Mirrors mmcv's DefaultOptimizerConstructor `paramwise_cfg.custom_keys`:
// a rule applies when its substring occurs in the parameter's name; among matching rules the LONGEST substring wins
// (ties: alphabetical), so {"backbone": lr x10} beats {"ln": no decay} for "backbone.ln_1.weight", exactly as in the
// released ZegCLIP configs. With `combine_matching_rules` every matching rule's multipliers are multiplied instead
// (so "backbone" x10 and "ln" decay 0 both apply).
//
// Only parameters that require grad join a group; parameters with equal (lr_mult, decay_mult) share one group, in
// order of first appearance.
//
// Example (the ZegCLIP recipe):
//   ParamGroupOptions o{/*base_lr=*/2e-5, /*weight_decay=*/0.01,
//                       {{"backbone", 10, 1}, {"decode_head", 10, 1}, {"norm", 1, 0}, {"ln", 1, 0}}};
//   ParamGroups groups = ParamGroups::Build(NamedParameters(*model), o);
//   std::unique_ptr<torch::optim::AdamW> adamw = groups.MakeAdamW();
//   groups.ApplyLr(*adamw, schedule, iter);   // before each step
#ifndef ZEGCLIP_TRAIN_PARAM_GROUPS_H_
#define ZEGCLIP_TRAIN_PARAM_GROUPS_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/optim/adamw.h>
#include <torch/optim/optimizer.h>

#include "zegclip/train/lr_schedule.h"

namespace zegclip::train {

struct ParamGroupRule {
  std::string name_substring;
  double lr_mult = 1.0;
  double decay_mult = 1.0;
};

struct ParamGroupOptions {
  double base_lr = 2e-5;
  double weight_decay = 0.01;
  std::vector<ParamGroupRule> rules;
  bool combine_matching_rules = false;  // false: mmcv (longest match wins)
  // AdamW's other hyper-parameters (PyTorch's defaults).
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// A module's parameters with their dotted names, in registration order.
NamedTensors NamedParameters(const torch::nn::Module& module);

struct ParamGroup {
  double lr_mult = 1.0;
  double decay_mult = 1.0;
  std::vector<std::string> names;
  std::vector<at::Tensor> params;
};

class ParamGroups {
 public:
  static ParamGroups Build(const NamedTensors& named, const ParamGroupOptions& options);

  // The (lr_mult, decay_mult) the rules give a parameter name.
  static std::pair<double, double> MultipliersFor(const std::string& name, const ParamGroupOptions& options);

  // AdamW over these groups: lr = base_lr x lr_mult, weight_decay = weight_decay x decay_mult.
  std::unique_ptr<torch::optim::AdamW> MakeAdamW() const;
  // Sets every optimizer group's lr to schedule.LrAt(iter, base_lr x lr_mult). The optimizer must have been made from
  // these groups (same count and order).
  void ApplyLr(torch::optim::Optimizer& optimizer, const LrSchedule& schedule, int64_t iter) const;

  const std::vector<ParamGroup>& groups() const { return groups_; }
  const ParamGroupOptions& options() const { return options_; }
  // Every trainable parameter, group by group.
  std::vector<at::Tensor> parameters() const;

 private:
  ParamGroupOptions options_;
  std::vector<ParamGroup> groups_;
};

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_PARAM_GROUPS_H_
