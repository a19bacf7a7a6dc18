#include "zegclip/base/tensor_bounds.h"

#include <gtest/gtest.h>

#include <limits>

namespace zegclip::base {
namespace {

// A tensor over `base`'s storage with the given metadata and no checks, as LibTorch's unpickler builds one from a
// file (set_ and as_strided would grow or check the storage).
at::Tensor Unchecked(const at::Tensor& base, at::ScalarType dtype, int64_t offset, at::IntArrayRef sizes,
                     at::IntArrayRef strides) {
  at::Tensor v = at::empty({0}, base.options().dtype(dtype));
  v.unsafeGetTensorImpl()->set_storage_keep_dtype(base.storage());
  v.unsafeGetTensorImpl()->set_storage_offset(offset);
  v.unsafeGetTensorImpl()->set_sizes_and_strides(sizes, strides);
  return v;
}

TEST(TensorBounds, AcceptsTensorsAndViewsInsideTheirStorage) {
  const at::Tensor t = at::arange(16, at::kFloat).reshape({4, 4});
  EXPECT_TRUE(CheckTensorInStorage(t, "t").ok());
  EXPECT_TRUE(CheckTensorInStorage(t.t(), "transposed").ok());
  EXPECT_TRUE(CheckTensorInStorage(t.narrow(0, 3, 1), "last row").ok());        // offset 12, 4 elements: 12..15
  EXPECT_TRUE(CheckTensorInStorage(t.expand({2, 4, 4}), "broadcast").ok());     // stride 0 reads one storage
  EXPECT_TRUE(CheckTensorInStorage(at::empty({0, 3}), "empty").ok());
  EXPECT_TRUE(CheckTensorInStorage(at::Tensor(), "undefined").ok());
  EXPECT_TRUE(CheckTensorInStorage(at::scalar_tensor(1.5), "0-d").ok());
}

TEST(TensorBounds, RefusesViewsPastTheStorageNamingShapeStridesAndSizes) {
  at::Tensor t = at::arange(16, at::kFloat);
  // What a damaged file's metadata gives: 18 elements addressed, 16 held.
  const at::Tensor past = Unchecked(t, at::kFloat, /*offset=*/2, {4, 4}, {4, 1});
  const absl::Status s = CheckTensorInStorage(past, "ckpt: tensor 'w'");
  ASSERT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_EQ(s.message(), "ckpt: tensor 'w': shape [4, 4] with strides [4, 1] at offset 2 needs 18 elements; its "
                         "storage holds 16 (a damaged or edited file)");
  // The last element exactly at the end is inside; one further is not.
  EXPECT_TRUE(CheckTensorInStorage(Unchecked(t, at::kFloat, 15, {1}, {1}), "edge").ok());
  EXPECT_FALSE(CheckTensorInStorage(Unchecked(t, at::kFloat, 16, {1}, {1}), "past").ok());
  EXPECT_FALSE(CheckTensorInStorage(Unchecked(t, at::kFloat, 0, {2, 9}, {0, 2}), "strided past").ok());
  // Byte counts, not element counts, bound the storage: a float view of 6 bytes holds one element.
  at::Tensor bytes = at::zeros({6}, at::kByte);
  EXPECT_TRUE(CheckTensorInStorage(Unchecked(bytes, at::kFloat, 0, {1}, {1}), "one float").ok());
  const at::Tensor floats = Unchecked(bytes, at::kFloat, 0, {2}, {1});
  EXPECT_FALSE(CheckTensorInStorage(floats, "floats").ok());
}

TEST(TensorBounds, RefusesStridesWhoseSpanOverflows) {
  at::Tensor t = at::arange(4, at::kFloat);
  const int64_t huge = std::numeric_limits<int64_t>::max() / 2 + 1;  // 2 x huge overflows
  const at::Tensor overflow = Unchecked(t, at::kFloat, 0, {3}, {huge});
  const absl::Status s = CheckTensorInStorage(overflow, "x");
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_NE(s.message().find("more elements than memory holds"), std::string::npos) << s;
}

TEST(TensorBounds, RefusesSparseTensors) {
  const at::Tensor sparse = at::eye(3).to_sparse();
  EXPECT_NE(CheckTensorInStorage(sparse, "s").message().find("expected a plain (strided) one"), std::string::npos);
}

}  // namespace
}  // namespace zegclip::base
