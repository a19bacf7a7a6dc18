#include "zegclip/train/param_groups.h"

#include <torch/nn/modules/linear.h>

#include <gtest/gtest.h>

namespace zegclip::train {
namespace {

using Mults = std::pair<double, double>;

// The released ZegCLIP paramwise_cfg.
ParamGroupOptions ZegclipOptions() {
  return ParamGroupOptions{2e-5, 0.01, {{"backbone", 10, 1}, {"decode_head", 10, 1}, {"norm", 1, 0}, {"ln", 1, 0}}};
}

TEST(ParamGroups, LongestMatchingSubstringWinsLikeMmcv) {
  const ParamGroupOptions o = ZegclipOptions();
  EXPECT_EQ(ParamGroups::MultipliersFor("backbone.conv1.weight", o), Mults(10, 1));
  EXPECT_EQ(ParamGroups::MultipliersFor("backbone.transformer.resblocks.0.ln_1.weight", o), Mults(10, 1));
  EXPECT_EQ(ParamGroups::MultipliersFor("neck.norm.weight", o), Mults(1, 0));
  EXPECT_EQ(ParamGroups::MultipliersFor("neck.ln_post.bias", o), Mults(1, 0));
  EXPECT_EQ(ParamGroups::MultipliersFor("neck.linear.bias", o), Mults(1, 1));
  // Equal lengths: alphabetical order decides ("aa" before "ab"), whatever the order of the rules.
  const ParamGroupOptions tie{1e-3, 0.1, {{"ab", 3, 1}, {"aa", 2, 1}}};
  EXPECT_EQ(ParamGroups::MultipliersFor("xaabx", tie), Mults(2, 1));
}

TEST(ParamGroups, CombinedRulesMultiply) {
  ParamGroupOptions o = ZegclipOptions();
  o.combine_matching_rules = true;
  EXPECT_EQ(ParamGroups::MultipliersFor("backbone.transformer.resblocks.0.ln_1.weight", o), Mults(10, 0));
  EXPECT_EQ(ParamGroups::MultipliersFor("decode_head.norm1.weight", o), Mults(10, 0));
  EXPECT_EQ(ParamGroups::MultipliersFor("decode_head.q_proj.weight", o), Mults(10, 1));
}

NamedTensors MakeNamed() {
  auto p = [](std::vector<int64_t> shape, bool trainable) { return at::ones(shape).requires_grad_(trainable); };
  return {{"backbone.prompt", p({2, 3}, true)},        {"text_encoder.token_embedding.weight", p({5, 3}, false)},
          {"neck.norm.weight", p({3}, true)},          {"decode_head.q_proj.weight", p({3, 3}, true)},
          {"neck.linear.weight", p({4}, true)},        {"backbone.ln_post.weight", p({3}, true)}};
}

TEST(ParamGroups, GroupsByMultipliersInFirstAppearanceOrderSkippingFrozen) {
  const ParamGroups groups = ParamGroups::Build(MakeNamed(), ZegclipOptions());
  ASSERT_EQ(groups.groups().size(), 3u);
  EXPECT_EQ(groups.groups()[0].names,
            (std::vector<std::string>{"backbone.prompt", "decode_head.q_proj.weight", "backbone.ln_post.weight"}));
  EXPECT_EQ(groups.groups()[0].lr_mult, 10);
  EXPECT_EQ(groups.groups()[1].names, (std::vector<std::string>{"neck.norm.weight"}));
  EXPECT_EQ(groups.groups()[1].decay_mult, 0);
  EXPECT_EQ(groups.groups()[2].names, (std::vector<std::string>{"neck.linear.weight"}));
  EXPECT_EQ(groups.parameters().size(), 5u);
}

TEST(ParamGroups, AdamWGroupsGetScheduledLrAndDecayTimesMultipliers) {
  NamedTensors named = MakeNamed();
  const ParamGroups groups = ParamGroups::Build(named, ZegclipOptions());
  std::unique_ptr<torch::optim::AdamW> adamw = groups.MakeAdamW();
  ASSERT_EQ(adamw->param_groups().size(), 3u);
  const auto& g1 = static_cast<const torch::optim::AdamWOptions&>(adamw->param_groups()[1].options());
  EXPECT_DOUBLE_EQ(g1.weight_decay(), 0.0);
  const auto& g0 = static_cast<const torch::optim::AdamWOptions&>(adamw->param_groups()[0].options());
  EXPECT_DOUBLE_EQ(g0.weight_decay(), 0.01);

  const LrSchedule schedule({LrPolicy::kPoly, 100, 0.9, 1e-6, 0, 1e-6});
  groups.ApplyLr(*adamw, schedule, 50);
  EXPECT_DOUBLE_EQ(adamw->param_groups()[0].options().get_lr(), schedule.LrAt(50, 2e-4));
  EXPECT_DOUBLE_EQ(adamw->param_groups()[2].options().get_lr(), schedule.LrAt(50, 2e-5));

  // With zero gradients AdamW only decays: p *= 1 - lr * wd; the no-decay group stays put, the frozen one too.
  for (at::Tensor& p : groups.parameters()) p.mutable_grad() = at::zeros_like(p);
  adamw->step();
  const double lr10 = schedule.LrAt(50, 2e-4);
  EXPECT_TRUE(at::allclose(named[0].second, at::full({2, 3}, 1 - lr10 * 0.01), 0, 1e-7));
  EXPECT_TRUE(at::equal(named[2].second, at::ones({3})));  // norm: decay_mult 0
  EXPECT_TRUE(at::equal(named[1].second, at::ones({5, 3})));
}

struct Tiny : torch::nn::Module {
  Tiny() : fc(register_module("fc", torch::nn::Linear(2, 3))) {}
  torch::nn::Linear fc;
};

TEST(ParamGroups, NamedParametersUseDottedModuleNames) {
  Tiny tiny;
  const NamedTensors named = NamedParameters(tiny);
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].first, "fc.weight");
  EXPECT_EQ(named[1].first, "fc.bias");
}

}  // namespace
}  // namespace zegclip::train
