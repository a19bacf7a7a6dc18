#include "zegclip/train/param_groups.h"

#include <algorithm>

namespace zegclip::train {

NamedTensors NamedParameters(const torch::nn::Module& module) {
  NamedTensors out;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  return out;
}

std::pair<double, double> ParamGroups::MultipliersFor(const std::string& name, const ParamGroupOptions& options) {
  std::vector<const ParamGroupRule*> rules;
  for (const ParamGroupRule& r : options.rules) rules.push_back(&r);
  // mmcv: sorted(sorted(keys), key=len, reverse=True) -> longest first, alphabetical among equal lengths.
  std::stable_sort(rules.begin(), rules.end(), [](const ParamGroupRule* a, const ParamGroupRule* b) {
    if (a->name_substring.size() != b->name_substring.size()) {
      return a->name_substring.size() > b->name_substring.size();
    }
    return a->name_substring < b->name_substring;
  });
  double lr_mult = 1.0;
  double decay_mult = 1.0;
  for (const ParamGroupRule* r : rules) {
    if (name.find(r->name_substring) == std::string::npos) continue;
    if (!options.combine_matching_rules) return {r->lr_mult, r->decay_mult};
    lr_mult *= r->lr_mult;
    decay_mult *= r->decay_mult;
  }
  return {lr_mult, decay_mult};
}

ParamGroups ParamGroups::Build(const NamedTensors& named, const ParamGroupOptions& options) {
  ParamGroups result;
  result.options_ = options;
  for (const auto& [name, tensor] : named) {
    if (!tensor.requires_grad()) continue;
    const auto [lr_mult, decay_mult] = MultipliersFor(name, options);
    auto it = std::find_if(result.groups_.begin(), result.groups_.end(), [&](const ParamGroup& g) {
      return g.lr_mult == lr_mult && g.decay_mult == decay_mult;
    });
    if (it == result.groups_.end()) {
      result.groups_.push_back(ParamGroup{lr_mult, decay_mult, {}, {}});
      it = std::prev(result.groups_.end());
    }
    it->names.push_back(name);
    it->params.push_back(tensor);
  }
  return result;
}

std::unique_ptr<torch::optim::AdamW> ParamGroups::MakeAdamW() const {
  TORCH_CHECK(!groups_.empty(), "ParamGroups::MakeAdamW: no parameter requires grad");
  const auto defaults = torch::optim::AdamWOptions(options_.base_lr)
                            .betas({options_.beta1, options_.beta2})
                            .eps(options_.eps)
                            .weight_decay(options_.weight_decay);
  std::vector<torch::optim::OptimizerParamGroup> optimizer_groups;
  for (const ParamGroup& g : groups_) {
    auto group_options = std::make_unique<torch::optim::AdamWOptions>(defaults);
    group_options->lr(options_.base_lr * g.lr_mult).weight_decay(options_.weight_decay * g.decay_mult);
    optimizer_groups.emplace_back(g.params, std::move(group_options));
  }
  return std::make_unique<torch::optim::AdamW>(std::move(optimizer_groups), defaults);
}

void ParamGroups::ApplyLr(torch::optim::Optimizer& optimizer, const LrSchedule& schedule, int64_t iter) const {
  auto& optimizer_groups = optimizer.param_groups();
  TORCH_CHECK(optimizer_groups.size() == groups_.size(), "ParamGroups::ApplyLr: the optimizer has ",
              optimizer_groups.size(), " groups, these param groups ", groups_.size());
  for (size_t i = 0; i < groups_.size(); ++i) {
    optimizer_groups[i].options().set_lr(schedule.LrAt(iter, options_.base_lr * groups_[i].lr_mult));
  }
}

std::vector<at::Tensor> ParamGroups::parameters() const {
  std::vector<at::Tensor> out;
  for (const ParamGroup& g : groups_) out.insert(out.end(), g.params.begin(), g.params.end());
  return out;
}

}  // namespace zegclip::train
