#include "zegclip/heads/relationship_descriptor.h"

#include <gtest/gtest.h>
#include <torch/nn/init.h>

namespace zegclip::heads {
namespace {

TEST(RelationshipDescriptor, ConcatenatesGlobalProductAndText) {
  at::manual_seed(0);
  const int64_t b = 2, c = 3, d = 4;
  RelationshipDescriptor rd(RelationshipDescriptorOptions{d});
  rd->to(at::kDouble);
  at::Tensor g = at::randn({b, d}, at::kDouble);
  at::Tensor t = at::randn({c, d}, at::kDouble);
  at::Tensor q = rd(g, t);
  ASSERT_EQ(q.sizes(), (std::vector<int64_t>{b, c, d}));
  auto w = rd->q_proj->weight.accessor<double, 2>();  // (d, 2d)
  auto bias = rd->q_proj->bias.accessor<double, 1>();
  auto ga = g.accessor<double, 2>();
  auto ta = t.accessor<double, 2>();
  auto qa = q.accessor<double, 3>();
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t k = 0; k < c; ++k) {
      for (int64_t o = 0; o < d; ++o) {
        double expected = bias[o];
        for (int64_t j = 0; j < d; ++j) {
          expected += w[o][j] * ga[i][j] * ta[k][j];  // first half: g ⊙ t
          expected += w[o][d + j] * ta[k][j];         // second half: t
        }
        EXPECT_NEAR(qa[i][k][o], expected, 1e-12) << i << "," << k << "," << o;
      }
    }
  }
}

TEST(RelationshipDescriptor, IdentityHalvesRecoverProductAndText) {
  const int64_t d = 3;
  RelationshipDescriptor rd(RelationshipDescriptorOptions{d});
  at::Tensor g = at::tensor({1.0f, 2.0f, 3.0f}).view({1, d});
  at::Tensor t = at::tensor({4.0f, 5.0f, 6.0f, -1.0f, 0.5f, 2.0f}).view({2, d});
  {
    torch::NoGradGuard no_grad;
    rd->q_proj->bias.zero_();
    rd->q_proj->weight.copy_(at::cat({at::eye(d), at::zeros({d, d})}, 1));
  }
  EXPECT_TRUE(at::allclose(rd(g, t)[0], g * t));
  {
    torch::NoGradGuard no_grad;
    rd->q_proj->weight.copy_(at::cat({at::zeros({d, d}), at::eye(d)}, 1));
  }
  EXPECT_TRUE(at::allclose(rd(g, t)[0], t));
}

TEST(RelationshipDescriptor, ParameterCountIsTwoDByDPlusBias) {
  RelationshipDescriptor rd(RelationshipDescriptorOptions{512});
  int64_t n = 0;
  for (const at::Tensor& p : rd->parameters()) n += p.numel();
  EXPECT_EQ(n, 1024 * 512 + 512);  // 524,800
  EXPECT_NEAR(rd->q_proj->weight.std().item<double>(), 0.02, 0.001);
  EXPECT_EQ(rd->q_proj->bias.abs().sum().item<double>(), 0.0);
}

TEST(RelationshipDescriptor, RejectsMismatchedWidths) {
  RelationshipDescriptor rd(RelationshipDescriptorOptions{4});
  EXPECT_THROW(rd(at::randn({2, 4}), at::randn({3, 5})), c10::Error);
  EXPECT_THROW(rd(at::randn({2, 5}), at::randn({3, 4})), c10::Error);
  EXPECT_THROW(rd(at::randn({4}), at::randn({3, 4})), c10::Error);
}

TEST(TextOnlyQueries, ExpandsTextOverBatch) {
  at::Tensor t = at::randn({5, 4});
  at::Tensor q = TextOnlyQueries(t, 3);
  ASSERT_EQ(q.sizes(), (std::vector<int64_t>{3, 5, 4}));
  for (int64_t i = 0; i < 3; ++i) EXPECT_TRUE(at::equal(q[i], t));
  EXPECT_THROW(TextOnlyQueries(t, 0), c10::Error);
}

}  // namespace
}  // namespace zegclip::heads
