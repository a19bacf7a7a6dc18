// CUDA checks for the CLIP model (tagged `gpu`: run on GPU hosts through the CMake mirror; skipped without CUDA).
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "zegclip/clip/clip_model.h"
#include "zegclip/clip/self_attention.h"
#include "zegclip/testing/tensor_fixtures.h"
#include "zegclip/testing/tiny_clip_options.h"

namespace zegclip::clip {
namespace {

using ::zegclip::testing::TinyClipOptions;
using ::zegclip::testing::TestImages;

class ClipGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  }
};

ClipModel TinyDeepPromptModel() {
  at::manual_seed(17);
  ClipModel model(TinyClipOptions(), PromptOptions{EncoderMode::kDeepPrompt, 4, 2});
  model->eval();
  return model;
}

TEST_F(ClipGpu, CudaMatchesCpu) {
  ClipModel model = TinyDeepPromptModel();
  at::NoGradGuard no_grad;
  at::Tensor images = TestImages(2, 64, 48);
  VisionOutput cpu = model->visual->ForwardDense(images);
  model->to(at::kCUDA);
  VisionOutput gpu = model->visual->ForwardDense(images.to(at::kCUDA));
  // cuDNN may run conv1 in TF32: compare at 2e-3.
  EXPECT_LT((gpu.patches.cpu() - cpu.patches).abs().max().item<float>(), 2e-3f);
  EXPECT_LT((gpu.global.cpu() - cpu.global).abs().max().item<float>(), 2e-3f);
}

TEST_F(ClipGpu, FusedAndExplicitAttentionAgreeOnCuda) {
  ASSERT_TRUE(SelfAttentionImpl::FusedKernelAvailable()) << "CUDA builds here are LibTorch >= 2";
  for (at::ScalarType dtype : {at::kFloat, at::kBFloat16}) {
    ClipModel model = TinyDeepPromptModel();
    model->to(at::kCUDA, dtype);
    at::NoGradGuard no_grad;
    at::Tensor images = TestImages(2, 64, 64).to(at::kCUDA, dtype);
    at::Tensor tokens = at::zeros({2, 12}, at::kLong);
    tokens.select(1, 0).fill_(48);
    tokens.select(1, 3).fill_(49);
    tokens = tokens.to(at::kCUDA);
    model->SetFusedAttention(true);
    at::Tensor fused_image = model->EncodeImage(images).to(at::kFloat);
    at::Tensor fused_text = model->EncodeText(tokens).to(at::kFloat);
    model->SetFusedAttention(false);
    at::Tensor explicit_image = model->EncodeImage(images).to(at::kFloat);
    at::Tensor explicit_text = model->EncodeText(tokens).to(at::kFloat);
    const float tolerance = dtype == at::kFloat ? 2e-3f : 5e-2f;
    EXPECT_LT((fused_image - explicit_image).abs().max().item<float>(), tolerance) << dtype;
    EXPECT_LT((fused_text - explicit_text).abs().max().item<float>(), tolerance) << dtype;
  }
}

TEST_F(ClipGpu, PromptGradientsOnCuda) {
  ClipModel model = TinyDeepPromptModel();
  model->to(at::kCUDA);
  model->train();
  VisionOutput out = model->visual->ForwardDense(TestImages(2, 64, 64).to(at::kCUDA));
  out.patches.pow(3).sum().backward();
  ASSERT_TRUE(model->visual->deep_prompt_embeddings.grad().defined());
  EXPECT_GT(model->visual->deep_prompt_embeddings.grad().abs().max().item<float>(), 0.0f);
}

}  // namespace
}  // namespace zegclip::clip
