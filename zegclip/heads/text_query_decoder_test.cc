#include "zegclip/heads/text_query_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "zegclip/heads/relationship_descriptor.h"

namespace zegclip::heads {
namespace {

int64_t CountParameters(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const at::Tensor& p : m.parameters()) n += p.numel();
  return n;
}

at::Tensor Affine(const torch::nn::Linear& lin, const at::Tensor& x) {
  return at::matmul(x, lin->weight.t()) + lin->bias;
}

at::Tensor RefLayerNorm(const torch::nn::LayerNorm& ln, const at::Tensor& x) {
  at::Tensor mean = x.mean({-1}, /*keepdim=*/true);
  at::Tensor var = (x - mean).pow(2).mean({-1}, /*keepdim=*/true);
  return (x - mean) / at::sqrt(var + 1e-5) * ln->weight + ln->bias;
}

// One decoder layer in eval mode written out from the formulas, head by head. Returns {queries, mean scores}.
std::pair<at::Tensor, at::Tensor> RefLayer(TextQueryDecoderLayerImpl& layer, const at::Tensor& x,
                                           const at::Tensor& mem, int64_t heads) {
  const MaskCrossAttentionImpl& attn = *layer.multihead_attn;
  const int64_t hd = x.size(2) / heads;
  at::Tensor q = Affine(attn.q, x), k = Affine(attn.k, mem), v = Affine(attn.v, mem);
  std::vector<at::Tensor> mixed;
  at::Tensor score_sum = at::zeros({x.size(0), x.size(1), mem.size(1)}, x.options());
  for (int64_t h = 0; h < heads; ++h) {
    at::Tensor s = at::bmm(q.narrow(2, h * hd, hd), k.narrow(2, h * hd, hd).transpose(1, 2)) / std::sqrt(hd * 1.0);
    score_sum += s;
    at::Tensor e = at::exp(s - std::get<0>(s.max(-1, true)));
    mixed.push_back(at::bmm(e / e.sum(-1, true), v.narrow(2, h * hd, hd)));
  }
  at::Tensor attended = Affine(attn.proj, at::cat(mixed, 2));
  at::Tensor x1 = RefLayerNorm(layer.norm2, x + attended);
  at::Tensor ffn = Affine(layer.linear2, at::clamp_min(Affine(layer.linear1, x1), 0.0));
  return {RefLayerNorm(layer.norm3, x1 + ffn), score_sum / heads};
}

TextQueryDecoderOptions Small() {
  TextQueryDecoderOptions o;
  o.layers = 2;
  o.width = 8;
  o.heads = 2;
  o.ffn_ratio = 3;
  return o;
}

TEST(TextQueryDecoder, EveryLayerMatchesTheFormulaInEvalMode) {
  at::manual_seed(3);
  const int64_t b = 2, c = 3, gh = 2, gw = 3;
  TextQueryDecoder decoder(Small());
  decoder->to(at::kDouble);
  decoder->eval();
  at::Tensor queries = at::randn({b, c, 8}, at::kDouble);
  at::Tensor patches = at::randn({b, gh * gw, 8}, at::kDouble);
  TextQueryDecoderOutput out = decoder->ForwardWithQueries(queries, patches, gh, gw);
  ASSERT_EQ(out.masks.size(), 2u);
  ASSERT_EQ(out.queries.size(), 2u);
  at::Tensor x = queries;
  for (int64_t l = 0; l < 2; ++l) {
    auto [next, scores] = RefLayer(*decoder->layers[l]->as<TextQueryDecoderLayer>(), x, patches, 2);
    ASSERT_EQ(out.masks[l].sizes(), (std::vector<int64_t>{b, c, gh, gw}));
    // Grid is row-major: mask[.., i, j] is patch i * gw + j.
    for (int64_t i = 0; i < gh; ++i) {
      for (int64_t j = 0; j < gw; ++j) {
        EXPECT_TRUE(at::allclose(out.masks[l].select(3, j).select(2, i), scores.select(2, i * gw + j), 1e-10, 1e-12))
            << "layer " << l << " cell " << i << "," << j;
      }
    }
    EXPECT_TRUE(at::allclose(out.queries[l], next, 1e-10, 1e-12)) << "layer " << l;
    x = next;
  }
  std::vector<at::Tensor> masks = decoder(queries, patches, gh, gw);
  EXPECT_TRUE(at::equal(masks.back(), out.masks.back()));
}

// Width 512, 3 layers, FFN ratio 4. Per layer: q/k/v/proj 4·(512·512 + 512) = 1,050,624; norm2 + norm3
// 2·2·512 = 2,048; FFN 512·2048 + 2048 + 2048·512 + 512 = 2,099,712; total 3,152,384, × 3 = 9,457,152.
TEST(TextQueryDecoder, ParameterCountMatchesTheFormula) {
  const int64_t attn = 4 * (512 * 512 + 512);
  const int64_t norms = 2 * 2 * 512;
  const int64_t ffn = 512 * 2048 + 2048 + 2048 * 512 + 512;
  ASSERT_EQ(attn, 1050624);
  ASSERT_EQ(ffn, 2099712);
  const int64_t ours = 3 * (attn + norms + ffn);
  TextQueryDecoder decoder(TextQueryDecoderOptions{});
  EXPECT_EQ(CountParameters(*decoder), ours);
  EXPECT_EQ(ours, 9457152);
  // The authors' 13.8 M (VOC) also counts, per layer, nn.TransformerDecoderLayer's unused self-attention
  // (in_proj 3·512·512 + 3·512 plus out_proj 512·512 + 512 = 1,050,624) and its norm1 (1,024); plus the RD
  // (1024·512 + 512) and the deep prompts (12·10·768 tokens, prompt_proj 768·768 + 768, prompt_norm 2·768).
  const int64_t unused = 3 * (1050624 + 1024);
  const int64_t rd = CountParameters(*RelationshipDescriptor(RelationshipDescriptorOptions{512}));
  const int64_t prompts_voc = 12 * 10 * 768 + 768 * 768 + 768 + 2 * 768;
  EXPECT_EQ(ours + unused + rd + prompts_voc, 13821184);  // "13.8 M"
  const int64_t prompts_coco = 12 * 100 * 768 + 768 * 768 + 768 + 2 * 768;
  EXPECT_EQ(ours + unused + rd + prompts_coco, 14650624);  // "14.6 M"
}

TEST(TextQueryDecoder, InitialisationFollowsTheAuthors) {
  at::manual_seed(4);
  TextQueryDecoder decoder(TextQueryDecoderOptions{});
  auto* layer = decoder->layers[0]->as<TextQueryDecoderLayer>();
  EXPECT_NEAR(layer->linear1->weight.std().item<double>(), 0.02, 0.001);
  EXPECT_NEAR(layer->multihead_attn->q->weight.std().item<double>(), 0.02, 0.001);
  EXPECT_EQ(layer->linear1->bias.abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(at::equal(layer->norm3->weight, at::ones({512})));
}

TEST(TextQueryDecoder, DropoutLeavesFirstMaskAloneButChangesLaterOnes) {
  at::manual_seed(5);
  TextQueryDecoderOptions o = Small();
  o.dropout = 0.5;
  TextQueryDecoder decoder(o);
  decoder->train();
  at::Tensor queries = at::randn({1, 4, 8});
  at::Tensor patches = at::randn({1, 9, 8});
  std::vector<at::Tensor> a = decoder(queries, patches, 3, 3);
  std::vector<at::Tensor> b = decoder(queries, patches, 3, 3);
  EXPECT_TRUE(at::equal(a[0], b[0]));  // pre-softmax scores of layer 0 see no dropout
  EXPECT_FALSE(at::allclose(a[1], b[1]));
  decoder->eval();
  EXPECT_TRUE(at::equal(decoder(queries, patches, 3, 3)[1], decoder(queries, patches, 3, 3)[1]));
}

TEST(TextQueryDecoder, InputProjectionIsLinearThenLayerNorm) {
  at::manual_seed(6);
  TextQueryDecoderOptions with = Small();
  with.input_projection = true;
  TextQueryDecoder projected(with);
  TextQueryDecoder plain(Small());
  EXPECT_EQ(CountParameters(*projected) - CountParameters(*plain), 8 * 8 + 8 + 2 * 8);
  projected->eval();
  plain->eval();
  {
    torch::NoGradGuard no_grad;
    auto pp = projected->layers->named_parameters();
    auto qp = plain->layers->named_parameters();
    for (const auto& item : qp) item.value().copy_(pp[item.key()]);
    projected->input_proj->weight.copy_(at::eye(8));
    projected->input_proj->bias.zero_();
  }
  at::Tensor queries = at::randn({2, 3, 8});
  at::Tensor patches = at::randn({2, 4, 8});
  at::Tensor normed = (patches - patches.mean({-1}, true)) / at::sqrt(patches.var({-1}, false, true) + 1e-5);
  std::vector<at::Tensor> a = projected(queries, patches, 2, 2);
  std::vector<at::Tensor> b = plain(queries, normed, 2, 2);
  EXPECT_TRUE(at::allclose(a.back(), b.back(), 1e-4, 1e-5));
}

TEST(TextQueryDecoder, GradientsReachQueriesAndPatches) {
  at::manual_seed(7);
  TextQueryDecoder decoder(Small());
  at::Tensor queries = at::randn({1, 2, 8}).requires_grad_();
  at::Tensor patches = at::randn({1, 4, 8}).requires_grad_();
  decoder(queries, patches, 2, 2).back().pow(2).sum().backward();
  EXPECT_GT(queries.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(patches.grad().abs().sum().item<double>(), 0.0);
  // The last layer's FFN only shapes queries no mask reads: it gets no gradient from the prediction alone.
  EXPECT_FALSE(decoder->layers[1]->as<TextQueryDecoderLayer>()->linear2->weight.grad().defined());
}

TEST(TextQueryDecoder, RejectsPatchesThatDoNotFillTheGrid) {
  TextQueryDecoder decoder(Small());
  EXPECT_THROW(decoder(at::randn({1, 2, 8}), at::randn({1, 5, 8}), 2, 2), c10::Error);
  EXPECT_THROW(decoder(at::randn({1, 2, 8}), at::randn({2, 4, 8}), 2, 2), c10::Error);
  EXPECT_THROW(decoder(at::randn({1, 2, 6}), at::randn({1, 4, 8}), 2, 2), c10::Error);
}

}  // namespace
}  // namespace zegclip::heads
