#include "zegclip/report/run_history.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "zegclip/testing/temp_path.h"

namespace zegclip::report {
namespace {

using ::zegclip::testing::TempPath;

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

RunSegment Segment(int64_t start, std::vector<FieldDifference> changes) {
  return RunSegment{start, "2026-12-04T06:00:00Z", "zegclip train", std::move(changes)};
}

TEST(RunHistoryTest, MissingFileIsAnEmptyHistory) {
  absl::StatusOr<std::vector<RunSegment>> h = ReadRunHistory(TempPath("none.jsonl"));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_TRUE(h->empty());
}

TEST(RunHistoryTest, SegmentsRoundTripInOrder) {
  const std::string path = TempPath("round_trip.jsonl");
  ASSERT_TRUE(RecordRunSegment(path, Segment(0, {})).ok());
  ASSERT_TRUE(RecordRunSegment(path, Segment(300, {{"train.lr", "0.001", "0.0005"}})).ok());
  ASSERT_TRUE(RecordRunSegment(path, Segment(600, {{"train.max_iters", "600", "900"}})).ok());
  absl::StatusOr<std::vector<RunSegment>> h = ReadRunHistory(path);
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0], Segment(0, {}));
  EXPECT_EQ((*h)[1], Segment(300, {{"train.lr", "0.001", "0.0005"}}));
  EXPECT_EQ((*h)[2], Segment(600, {{"train.max_iters", "600", "900"}}));
}

TEST(RunHistoryTest, ASegmentAtIterationZeroStartsAfresh) {
  const std::string path = TempPath("afresh.jsonl");
  ASSERT_TRUE(RecordRunSegment(path, Segment(0, {})).ok());
  ASSERT_TRUE(RecordRunSegment(path, Segment(300, {{"train.lr", "0.001", "0.0005"}})).ok());
  ASSERT_TRUE(RecordRunSegment(path, Segment(0, {})).ok());
  absl::StatusOr<std::vector<RunSegment>> h = ReadRunHistory(path);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, std::vector<RunSegment>{Segment(0, {})});
}

TEST(RunHistoryTest, RedoneIterationsKeepTheChangeMeasuredFromBefore) {
  // lr changed at 300; the run resumes at 300 again (same settings as recorded): the change at 300 must stay.
  std::vector<RunSegment> h = {Segment(0, {}), Segment(300, {{"train.lr", "0.001", "0.0005"}})};
  std::vector<RunSegment> again = WithSegment(h, Segment(300, {}));
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].changes, (std::vector<FieldDifference>{{"train.lr", "0.001", "0.0005"}}));
}

TEST(RunHistoryTest, ResumeBeforeLaterSegmentsFoldsTheirChanges) {
  // Segments at 300 (lr) and 600 (max_iters, lr again); a resume at 200 that sets grad_clip_norm and lr back.
  std::vector<RunSegment> h = {
      Segment(0, {}), Segment(300, {{"train.lr", "0.001", "0.0005"}}),
      Segment(600, {{"train.max_iters", "600", "900"}, {"train.lr", "0.0005", "0.0002"}})};
  // Relative to the run so far (lr 0.0002, max_iters 900): lr back to 0.001, clip norm 0 -> 1.
  std::vector<RunSegment> r =
      WithSegment(h, Segment(200, {{"train.lr", "0.0002", "0.001"}, {"train.grad_clip_norm", "0", "1"}}));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].start_iter, 0);
  EXPECT_EQ(r[1].start_iter, 200);
  // lr is as before 300 (changed and changed back: dropped); max_iters stays 900; the clip norm is new.
  EXPECT_EQ(r[1].changes, (std::vector<FieldDifference>{{"train.max_iters", "600", "900"},
                                                        {"train.grad_clip_norm", "0", "1"}}));
}

TEST(RunHistoryTest, MalformedLinesNameFileAndLine) {
  const std::string path = TempPath("bad.jsonl");
  const std::string good = R"({"start_iter":0,"time":"t","command":"c","changes":[]})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"start_iter\":0,", "not a JSON object"},
      {R"({"start_iter":-1,"time":"t","command":"c","changes":[]})", "start_iter must be an integer >= 0"},
      {R"({"start_iter":"3","time":"t","command":"c","changes":[]})", "start_iter must be an integer >= 0"},
      {R"({"start_iter":3,"command":"c","changes":[]})", "time must be a string"},
      {R"({"start_iter":3,"time":"t","command":"c","changes":{}})", "changes must be an array"},
      {R"({"start_iter":3,"time":"t","command":"c","changes":[{"field":"a","was":1,"now":"b"}]})",
       "change.was must be a string"},
      {"[1,2]", "not a JSON object"},
  };
  for (const auto& [line, expected] : cases) {
    WriteText(path, good + "\n" + line + "\n");
    absl::StatusOr<std::vector<RunSegment>> h = ReadRunHistory(path);
    ASSERT_FALSE(h.ok()) << line;
    EXPECT_EQ(h.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(h.status().message().find(path + ":2: " + expected), std::string::npos) << h.status();
    // A resume never writes over a history it cannot read.
    EXPECT_FALSE(RecordRunSegment(path, Segment(5, {})).ok());
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first, good);
  }
}

TEST(RunHistoryTest, AFolderInPlaceOfTheFileIsAnError) {
  const std::string path = TempPath("folder.jsonl");
  std::filesystem::create_directories(path);
  absl::StatusOr<std::vector<RunSegment>> h = ReadRunHistory(path);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find(path), std::string::npos) << h.status();
}

}  // namespace
}  // namespace zegclip::report
