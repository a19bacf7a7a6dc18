#include "zegclip/train/metrics_log.h"

#include <fstream>
#include <limits>

#include <gtest/gtest.h>

namespace zegclip::train {
namespace {

TEST(MetricsLog, FormatsFlatJsonWithExactNumbers) {
  EXPECT_EQ(MetricsLog::FormatLine({{"mode", "train"}}, {{"iter", 50}, {"lr", 0.1}, {"loss", -2.5}}),
            "{\"mode\": \"train\", \"iter\": 50, \"lr\": 0.10000000000000001, \"loss\": -2.5}");
  EXPECT_EQ(MetricsLog::FormatLine({}, {{"x", std::numeric_limits<double>::infinity()}}), "{\"x\": null}");
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(MetricsLog, AppendsOneLinePerWrite) {
  const std::string path = ::testing::TempDir() + "/metrics_log_test.jsonl";
  std::remove(path.c_str());
  {
    MetricsLog log;
    ASSERT_TRUE(log.Open(path).ok());
    ASSERT_TRUE(log.Write({{"mode", "train"}}, {{"iter", 1}}).ok());
  }
  {
    MetricsLog log;  // a resumed run appends
    ASSERT_TRUE(log.Open(path).ok());
    ASSERT_TRUE(log.Write({{"mode", "eval"}}, {{"iter", 2}}).ok());
  }
  std::ifstream in(path);
  std::string a, b, c;
  std::getline(in, a);
  std::getline(in, b);
  EXPECT_EQ(a, "{\"mode\": \"train\", \"iter\": 1}");
  EXPECT_EQ(b, "{\"mode\": \"eval\", \"iter\": 2}");
  EXPECT_FALSE(std::getline(in, c));
}

TEST(MetricsLog, UnwritablePathIsNamed) {
  MetricsLog log;
  const absl::Status s = log.Open("/nonexistent-dir/metrics.jsonl");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().substr(0, 31), "/nonexistent-dir/metrics.jsonl:");
  EXPECT_FALSE(log.Write({}, {{"iter", 1}}).ok());
}

}  // namespace
}  // namespace zegclip::train
