#include "data/bad_sample_policy.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/loader.h"
#include "gtest/gtest.h"

namespace zegclip::data {
namespace {

// Samples 0..n-1 whose image holds their index; the indices in `bad` fail as a corrupt file would. Counts reads.
class FlakyDataset : public Dataset {
 public:
  FlakyDataset(int64_t n, std::set<int64_t> bad) : n_(n), bad_(std::move(bad)), reads_(n) {}
  int64_t size() const override { return n_; }
  absl::StatusOr<Sample> Get(int64_t index) const override {
    if (index < 0 || index >= n_) return absl::OutOfRangeError(absl::StrCat("index ", index));
    ++reads_[index];
    if (bad_.count(index)) {
      return absl::DataLossError(absl::StrCat("cannot decode image /data/JPEGImages/", index, ".jpg"));
    }
    return Sample{at::full({2, 2, 3}, index, at::kByte), at::zeros({2, 2}, at::kByte), "", absl::StrCat(index)};
  }
  int64_t reads(int64_t index) const { return reads_[index]; }

 private:
  int64_t n_;
  std::set<int64_t> bad_;
  mutable std::vector<std::atomic<int64_t>> reads_;
};

// Collects reports (thread-safe).
struct Reports {
  std::mutex mutex;
  std::vector<std::string> lines;
  BadSampleReporter fn() {
    return [this](const std::string& m) {
      std::lock_guard<std::mutex> lock(mutex);
      lines.push_back(m);
    };
  }
  int64_t Mentioning(const std::string& text) {
    int64_t count = 0;
    for (const std::string& l : lines) count += l.find(text) != std::string::npos;
    return count;
  }
};

TEST(BadSamplePolicy, StopNamesTheFileAndHowToSkip) {
  auto inner = std::make_shared<FlakyDataset>(4, std::set<int64_t>{2});
  auto ds = WithBadSamplePolicy(inner, BadSamplePolicy::kStop);
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ((*ds)->size(), 4);
  EXPECT_TRUE((*ds)->Get(1).ok());
  const absl::StatusOr<Sample> bad = (*ds)->Get(2);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(bad.status().message().find("/data/JPEGImages/2.jpg"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("data.skip_bad_samples: true"), std::string::npos) << bad.status();
  EXPECT_EQ((*ds)->Get(9).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(BadSamplePolicy, NextGoodTakesTheFollowingGoodSampleWrappingAround) {
  auto inner = std::make_shared<FlakyDataset>(6, std::set<int64_t>{1, 2, 5});
  Reports reports;
  auto ds = WithBadSamplePolicy(inner, BadSamplePolicy::kNextGood, reports.fn());
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ((*ds)->size(), 6);
  const std::vector<std::string> expected = {"0", "3", "3", "3", "4", "0"};
  for (int round = 0; round < 3; ++round) {
    for (int64_t i = 0; i < 6; ++i) {
      absl::StatusOr<Sample> s = (*ds)->Get(i);
      ASSERT_TRUE(s.ok()) << s.status();
      EXPECT_EQ(s->id, expected[i]) << "index " << i;
    }
  }
  // Each bad sample reported once, with its path; read once, then remembered.
  ASSERT_EQ(reports.lines.size(), 3u);
  for (int64_t b : {1, 2, 5}) {
    EXPECT_EQ(reports.Mentioning(absl::StrCat("/data/JPEGImages/", b, ".jpg")), 1) << b;
    EXPECT_EQ(inner->reads(b), 1) << b;
  }
}

TEST(BadSamplePolicy, NextGoodIsTheSameFromConcurrentWorkers) {
  auto inner = std::make_shared<FlakyDataset>(40, std::set<int64_t>{3, 4, 5, 17, 39});
  Reports reports;
  auto ds = WithBadSamplePolicy(inner, BadSamplePolicy::kNextGood, reports.fn());
  ASSERT_TRUE(ds.ok());
  std::vector<std::string> ids(40);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int64_t i = t; i < 40; i += 8) ids[i] = (*ds)->Get(i)->id;
    });
  }
  for (std::thread& t : threads) t.join();
  for (int64_t i = 0; i < 40; ++i) {
    int64_t j = i;
    while (j == 3 || j == 4 || j == 5 || j == 17 || j == 39) j = (j + 1) % 40;
    EXPECT_EQ(ids[i], absl::StrCat(j)) << i;
  }
  EXPECT_EQ(reports.lines.size(), 5u);
}

// The loader's batches over a skipping dataset do not depend on the worker count.
TEST(BadSamplePolicy, LoaderBatchesIndependentOfWorkers) {
  auto inner = std::make_shared<FlakyDataset>(24, std::set<int64_t>{0, 7, 8, 23});
  SampleTransform to_float = [](Sample s, SampleRng&) -> absl::StatusOr<TransformedSample> {
    return TransformedSample{s.image.permute({2, 0, 1}).to(at::kFloat), s.label.to(at::kLong), s.caption, s.id};
  };
  std::vector<std::vector<std::string>> runs;
  for (int64_t workers : {0, 1, 4}) {
    Reports reports;
    auto ds = WithBadSamplePolicy(inner, BadSamplePolicy::kNextGood, reports.fn());
    ASSERT_TRUE(ds.ok());
    LoaderOptions options;
    options.batch_size = 4;
    options.num_workers = workers;
    options.seed = 5;
    auto loader = Loader::Create(*ds, to_float, options);
    ASSERT_TRUE(loader.ok()) << loader.status();
    std::vector<std::string> ids;
    for (int step = 0; step < 12; ++step) {  // two epochs
      absl::StatusOr<Batch> batch = (*loader)->Next();
      ASSERT_TRUE(batch.ok()) << batch.status();
      for (int64_t k = 0; k < batch->images.size(0); ++k) {
        EXPECT_EQ(batch->images[k][0][0][0].item<float>(), std::stof(batch->ids[k]));
      }
      ids.insert(ids.end(), batch->ids.begin(), batch->ids.end());
    }
    EXPECT_EQ(reports.lines.size(), 4u) << workers << " workers";
    for (const std::string& id : ids) EXPECT_TRUE(id != "0" && id != "7" && id != "8" && id != "23") << id;
    runs.push_back(ids);
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
}

TEST(BadSamplePolicy, DropLeavesBadSamplesOutAndReportsThemInOrder) {
  auto inner = std::make_shared<FlakyDataset>(6, std::set<int64_t>{1, 2, 5});
  Reports reports;
  auto ds = WithBadSamplePolicy(inner, BadSamplePolicy::kDrop, reports.fn(), /*threads=*/3);
  ASSERT_TRUE(ds.ok()) << ds.status();
  ASSERT_EQ((*ds)->size(), 3);
  EXPECT_EQ((*ds)->Get(0)->id, "0");
  EXPECT_EQ((*ds)->Get(1)->id, "3");
  EXPECT_EQ((*ds)->Get(2)->id, "4");
  EXPECT_EQ((*ds)->Get(3).status().code(), absl::StatusCode::kOutOfRange);
  ASSERT_EQ(reports.lines.size(), 3u);
  EXPECT_NE(reports.lines[0].find("/data/JPEGImages/1.jpg"), std::string::npos);
  EXPECT_NE(reports.lines[1].find("/data/JPEGImages/2.jpg"), std::string::npos);
  EXPECT_NE(reports.lines[2].find("/data/JPEGImages/5.jpg"), std::string::npos);
}

TEST(BadSamplePolicy, EveryBadSampleIsAnErrorNotAHang) {
  auto inner = std::make_shared<FlakyDataset>(3, std::set<int64_t>{0, 1, 2});
  Reports reports;
  auto next = WithBadSamplePolicy(inner, BadSamplePolicy::kNextGood, reports.fn());
  ASSERT_TRUE(next.ok());
  const absl::StatusOr<Sample> s = (*next)->Get(1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("every one of the 3 samples is bad"), std::string::npos) << s.status();
  EXPECT_FALSE((*next)->Get(2).ok());  // all known bad now: still an error, no re-read
  EXPECT_EQ(inner->reads(0), 1);
  const auto drop = WithBadSamplePolicy(inner, BadSamplePolicy::kDrop, reports.fn());
  ASSERT_FALSE(drop.ok());
  EXPECT_NE(drop.status().message().find("/data/JPEGImages/0.jpg"), std::string::npos) << drop.status();
}

}  // namespace
}  // namespace zegclip::data
