// NEL against numbers worked out by hand from the authors' criterion (models/losses/criterion.py of their release):
//   loss_mask = sigmoid_focal_loss: per (image, class) the MEAN over all H*W pixels of
//               alpha_t * BCE(x, t) * (1 - p_t)^2 (alpha 0.25, targets 0 on ignored pixels: they are negatives of
//               every class), summed over ALL (image, class) pairs, divided by num_masks;
//   loss_dice = over the (image, class) pairs PRESENT in the labels only: 1 - (2 sum(p t) + 1) / (sum p + sum t + 1)
//               with p over every pixel (ignored ones too), summed, divided by num_masks;
//   num_masks = the number of present pairs (clamped >= 1); total = 100 * loss_mask + 1 * loss_dice (SegLossPlus's
//               mask_weight / dice_weight in the VOC config).
#include <gtest/gtest.h>

#include "zegclip/losses/nel_loss.h"

namespace zegclip::losses {
namespace {

// Two images, two classes, 1 x 3 pixels.
//   image 0: labels (0, 1, 255); class 0 logits (2, -1, 0), class 1 logits (0, 1, 3)
//   image 1: labels (255, 255, 255); class 0 logits (0, 0, 0), class 1 logits (-2, -2, -2)
// Present pairs: (0, class 0), (0, class 1) -> num_masks = 2; image 1 has no dice term but its focal term counts.
TEST(NelLossAgainstTheAuthorsFormulas, HandComputedValues) {
  const at::Tensor logits = at::tensor({2.0, -1.0, 0.0, 0.0, 1.0, 3.0, 0.0, 0.0, 0.0, -2.0, -2.0, -2.0}, at::kDouble)
                                .view({2, 2, 1, 3});
  const at::Tensor labels = at::tensor({0, 1, 255, 255, 255, 255}, at::kLong).view({2, 1, 3});
  // Per-pair focal means (by hand, e.g. image 0 class 0: pixel x=2,t=1: 0.25 * 0.12693 * 0.11920^2 = 0.000451;
  // x=-1,t=0: 0.75 * 0.31326 * 0.26894^2 = 0.016994; x=0,t=0 (ignored): 0.75 * 0.69315 * 0.5^2 = 0.129965;
  // mean 0.0491365):
  //   (0, 0) 0.049136510065  (0, 1) 0.736779980500  (1, 0) 0.129965096355  (1, 1) 0.001352672126
  // focal = sum / 2 = 0.458617129523.
  // Dice, image 0 only: class 0: p = (0.880797, 0.268941, 0.5), t = (1, 0, 0): 1 - 2.761594 / 3.649738 = 0.243345;
  // class 1: p = (0.5, 0.731059, 0.952574), t = (0, 1, 0): 1 - 2.462117 / 4.183633 = 0.411488; dice = sum / 2.
  NelLossResult r = NelLoss(logits, labels, /*num_classes=*/2);  // defaults: 100 / 1, alpha 0.25, gamma 2, ignore as negative
  EXPECT_DOUBLE_EQ(r.num_masks, 2.0);
  EXPECT_NEAR(r.focal.item<double>(), 0.45861712952341105, 1e-12);
  EXPECT_NEAR(r.dice.item<double>(), 0.32741643256183356, 1e-12);
  EXPECT_NEAR(r.total.item<double>(), 46.18912938490294, 1e-10);
}

TEST(NelLossAgainstTheAuthorsFormulas, NoLabelledPixelAnywhereStillDividesByOne) {
  // num_masks = clamp(0, min=1): the focal sum of image 1 alone over 2 pairs, no dice.
  const at::Tensor logits = at::tensor({0.0, 0.0, 0.0, -2.0, -2.0, -2.0}, at::kDouble).view({1, 2, 1, 3});
  const at::Tensor labels = at::full({1, 1, 3}, 255, at::kLong);
  NelLossResult r = NelLoss(logits, labels, 2);
  EXPECT_DOUBLE_EQ(r.num_masks, 1.0);
  EXPECT_NEAR(r.focal.item<double>(), 0.129965096354990 + 0.001352672126430, 1e-12);
  EXPECT_DOUBLE_EQ(r.dice.item<double>(), 0.0);
}

}  // namespace
}  // namespace zegclip::losses
