#include "data/loader.h"

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "data/synthetic_world.h"
#include "data/transforms.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

std::shared_ptr<const Dataset> World(int64_t size) {
  return std::shared_ptr<const Dataset>(*SyntheticWorldDataset::Create(SyntheticWorldOptions(), "train", size));
}

// The synthetic world through a random crop and flip, so the per-sample rng matters.
SampleTransform Augment() {
  TransformOptions o;
  o.random_resize = false;
  o.photometric = false;
  o.crop_height = o.crop_width = 48;
  return TrainPipeline(o);
}

std::vector<Batch> Take(Loader& loader, int n) {
  std::vector<Batch> batches;
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<Batch> b = loader.Next();
    EXPECT_TRUE(b.ok()) << b.status();
    if (b.ok()) batches.push_back(*std::move(b));
  }
  return batches;
}

TEST(Loader, SameBatchesForAnyWorkerCount) {
  std::vector<std::vector<Batch>> runs;
  for (int64_t workers : {0, 1, 4}) {
    LoaderOptions o;
    o.batch_size = 3;
    o.num_workers = workers;
    o.seed = 5;
    auto loader = Loader::Create(World(10), Augment(), o);
    ASSERT_TRUE(loader.ok()) << loader.status();
    EXPECT_EQ((*loader)->batches_per_epoch(), 3);
    runs.push_back(Take(**loader, 7));  // crosses two epoch boundaries
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (size_t i = 0; i < runs[0].size(); ++i) {
      EXPECT_EQ(runs[r][i].ids, runs[0][i].ids);
      EXPECT_TRUE(at::equal(runs[r][i].images, runs[0][i].images)) << "run " << r << " batch " << i;
      EXPECT_TRUE(at::equal(runs[r][i].labels, runs[0][i].labels));
    }
  }
  const Batch& b = runs[0][0];
  EXPECT_EQ(b.images.sizes(), (std::vector<int64_t>{3, 3, 48, 48}));
  EXPECT_EQ(b.images.scalar_type(), at::kFloat);
  EXPECT_EQ(b.labels.sizes(), (std::vector<int64_t>{3, 48, 48}));
  EXPECT_EQ(b.labels.scalar_type(), at::kLong);
  EXPECT_TRUE(b.images.is_contiguous());
  EXPECT_EQ(b.captions.size(), 3u);
  ASSERT_EQ(b.caption_keys.size(), 3u);
  for (const std::string& key : b.caption_keys) EXPECT_FALSE(key.empty());  // the world's content keys travel along
}

TEST(Loader, BatchesHoldTheSamplersIndicesTransformedWithTheirOwnRng) {
  LoaderOptions o;
  o.batch_size = 4;
  o.num_workers = 2;
  o.seed = 9;
  auto dataset = World(8);
  auto loader = Loader::Create(dataset, Augment(), o);
  ASSERT_TRUE(loader.ok());
  auto sampler = DistributedSampler::Create(8, {9, true, 0, 1, true});
  const std::vector<int64_t> order = sampler->EpochIndices(1);
  const std::vector<Batch> batches = Take(**loader, 4);  // epoch 0, then epoch 1
  for (int64_t i = 0; i < 4; ++i) {
    const int64_t index = order[4 + i];
    EXPECT_EQ(batches[3].ids[i], absl::StrCat("train/", index));
    SampleRng rng(9, 1, index);
    const auto expected = Augment()(*dataset->Get(index), rng);
    ASSERT_TRUE(expected.ok());
    EXPECT_TRUE(at::equal(batches[3].images[i], expected->image));
  }
  EXPECT_EQ((*loader)->epoch(), 2);
}

// A sample's tensors depend on (seed, epoch, index) only: read on rank 1 of 2 with 4 workers, each one is
// byte-identical to the same sample read on a single rank with 1 worker.
TEST(Loader, ASampleIsTheSameOnAnyRankAndWorkerCount) {
  std::map<std::string, std::pair<at::Tensor, at::Tensor>> single;
  {
    LoaderOptions o;
    o.batch_size = 1;
    o.num_workers = 1;
    o.seed = 9;
    o.infinite = false;
    auto loader = Loader::Create(World(10), Augment(), o);
    ASSERT_TRUE(loader.ok()) << loader.status();
    for (const Batch& b : Take(**loader, 10)) single[b.ids[0]] = {b.images[0], b.labels[0]};
  }
  LoaderOptions o;
  o.batch_size = 1;
  o.num_workers = 4;
  o.seed = 9;
  o.rank = 1;
  o.world_size = 2;
  o.infinite = false;
  auto loader = Loader::Create(World(10), Augment(), o);
  ASSERT_TRUE(loader.ok()) << loader.status();
  int compared = 0;
  for (const Batch& b : Take(**loader, 5)) {
    ASSERT_EQ(single.count(b.ids[0]), 1u) << b.ids[0];
    EXPECT_TRUE(at::equal(b.images[0], single[b.ids[0]].first)) << b.ids[0];
    EXPECT_TRUE(at::equal(b.labels[0], single[b.ids[0]].second)) << b.ids[0];
    ++compared;
  }
  EXPECT_EQ(compared, 5);
}

TEST(Loader, RanksReadDisjointShardsOfTheSameShuffle) {
  std::set<std::string> seen;
  for (int64_t rank = 0; rank < 3; ++rank) {
    LoaderOptions o;
    o.batch_size = 2;
    o.rank = rank;
    o.world_size = 3;
    o.infinite = false;
    auto loader = Loader::Create(World(13), Augment(), o);
    ASSERT_TRUE(loader.ok());
    ASSERT_EQ((*loader)->batches_per_epoch(), 2);  // floor(13 / 3) = 4 samples per rank
    for (const Batch& b : Take(**loader, 2)) {
      for (const std::string& id : b.ids) EXPECT_TRUE(seen.insert(id).second) << id << " read twice";
    }
    const absl::StatusOr<Batch> end = (*loader)->Next();
    EXPECT_EQ(end.status().code(), absl::StatusCode::kOutOfRange);
  }
  EXPECT_EQ(seen.size(), 12u);
}

TEST(Loader, KeepsAPartialLastBatchWithoutDropLast) {
  LoaderOptions o;
  o.batch_size = 4;
  o.drop_last = false;
  o.infinite = false;
  o.shuffle = false;
  auto loader = Loader::Create(World(10), Augment(), o);
  ASSERT_TRUE(loader.ok());
  const std::vector<Batch> batches = Take(**loader, 3);
  EXPECT_EQ(batches[2].images.size(0), 2);
  EXPECT_EQ(batches[2].ids, (std::vector<std::string>{"train/8", "train/9"}));
  EXPECT_FALSE((*loader)->Next().ok());
}

TEST(Loader, ResumesAtAGivenStep) {
  LoaderOptions o;
  o.batch_size = 2;
  o.num_workers = 2;
  auto full = Loader::Create(World(6), Augment(), o);
  o.start_step = 4;
  auto resumed = Loader::Create(World(6), Augment(), o);
  ASSERT_TRUE(full.ok() && resumed.ok());
  const std::vector<Batch> a = Take(**full, 6), b = Take(**resumed, 2);
  EXPECT_EQ(b[0].ids, a[4].ids);
  EXPECT_TRUE(at::equal(b[1].images, a[5].images));
}

// A dataset that fails on one index and can be slow.
class FlakyDataset : public Dataset {
 public:
  FlakyDataset(int64_t bad, int sleep_ms) : inner_(World(64)), bad_(bad), sleep_ms_(sleep_ms) {}
  int64_t size() const override { return 64; }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    ++calls;
    if (sleep_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    if (index == bad_) return absl::NotFoundError(absl::StrCat("cannot read bad-", index, ".png"));
    return inner_->Get(index);
  }
  mutable std::atomic<int> calls{0};

 private:
  std::shared_ptr<const Dataset> inner_;
  int64_t bad_;
  int sleep_ms_;
};

TEST(Loader, ErrorsNameTheSampleAndLaterBatchesStillCome) {
  LoaderOptions o;
  o.batch_size = 4;
  o.num_workers = 3;
  o.shuffle = false;
  o.infinite = false;
  auto loader = Loader::Create(std::make_shared<FlakyDataset>(/*bad=*/9, 0), Augment(), o);
  ASSERT_TRUE(loader.ok());
  for (int step = 0; step < 16; ++step) {
    const absl::StatusOr<Batch> b = (*loader)->Next();
    if (step == 2) {  // indices 8..11
      ASSERT_FALSE(b.ok());
      EXPECT_EQ(b.status().code(), absl::StatusCode::kNotFound);
      EXPECT_NE(b.status().message().find("bad-9.png"), std::string::npos) << b.status();
      EXPECT_NE(b.status().message().find("sample index 9"), std::string::npos) << b.status();
    } else {
      EXPECT_TRUE(b.ok()) << step << ": " << b.status();
    }
  }
}

TEST(Loader, TransformExceptionsBecomeStatuses) {
  LoaderOptions o;
  o.batch_size = 1;
  o.num_workers = 1;
  SampleTransform throwing = [](Sample, SampleRng&) -> absl::StatusOr<TransformedSample> {
    TORCH_CHECK(false, "boom in transform");
  };
  auto loader = Loader::Create(World(4), throwing, o);
  ASSERT_TRUE(loader.ok());
  const absl::StatusOr<Batch> b = (*loader)->Next();
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("boom in transform"), std::string::npos);
}

TEST(Loader, MixedSizesAreRefusedByName) {
  LoaderOptions o;
  o.batch_size = 2;
  o.num_workers = 0;
  o.shuffle = false;
  SampleTransform by_index = [](Sample s, SampleRng&) -> absl::StatusOr<TransformedSample> {
    const int64_t n = s.id == "train/1" ? 32 : 64;
    return TransformedSample{at::zeros({3, n, n}), at::zeros({n, n}, at::kLong), s.caption, s.id};
  };
  auto loader = Loader::Create(World(4), by_index, o);
  ASSERT_TRUE(loader.ok());
  const absl::StatusOr<Batch> b = (*loader)->Next();
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("train/1"), std::string::npos) << b.status();
}

TEST(Loader, ShutsDownMidEpochWithoutWaitingForTheRest) {
  auto slow = std::make_shared<FlakyDataset>(/*bad=*/-1, /*sleep_ms=*/20);
  LoaderOptions o;
  o.batch_size = 4;
  o.num_workers = 4;
  o.prefetch_batches = 2;
  const auto start = std::chrono::steady_clock::now();
  {
    auto loader = Loader::Create(slow, Augment(), o);
    ASSERT_TRUE(loader.ok());
    ASSERT_TRUE((*loader)->Next().ok());
  }
  {
    auto untouched = Loader::Create(slow, Augment(), o);  // destroyed before any Next()
    ASSERT_TRUE(untouched.ok());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // 16 batches per epoch at 80 ms each; the window bounds the work to a few batches.
  EXPECT_LT(seconds, 1.5);
  EXPECT_LE(slow->calls.load(), 4 * (1 + 2 + 4) * 2);
}

TEST(Loader, RejectsImpossibleConfigurations) {
  LoaderOptions o;
  o.batch_size = 8;
  EXPECT_FALSE(Loader::Create(World(5), Augment(), o).ok());  // no full batch
  o.batch_size = 2;
  o.rank = 2;
  o.world_size = 2;
  EXPECT_FALSE(Loader::Create(World(5), Augment(), o).ok());
  o.rank = 0;
  EXPECT_FALSE(Loader::Create(nullptr, Augment(), o).ok());
  o.num_workers = -1;
  EXPECT_FALSE(Loader::Create(World(5), Augment(), o).ok());
}

}  // namespace
}  // namespace zegclip::data
