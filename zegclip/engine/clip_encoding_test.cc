// The file half of CLIP preprocessing (decode, then OpenAI's transform) and the class-name lists of text-embed.
#include "zegclip/engine/clip_encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "zegclip/base/npy_io.h"
#include "zegclip/testing/temp_path.h"

namespace zegclip::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::zegclip::testing::TempPath;

TEST(ClipEncoding, LoadClipImageIsPythonsPreprocessingOfTheFile) {
  absl::StatusOr<at::Tensor> image = LoadClipImage("zegclip/clip/testdata/preprocess_input.png", 24);
  ASSERT_TRUE(image.ok()) << image.status();
  absl::StatusOr<at::Tensor> python = base::ReadNpy("zegclip/clip/testdata/preprocess_clip_24.npy");
  ASSERT_TRUE(python.ok()) << python.status();
  EXPECT_TRUE(at::equal(*image, *python));
  absl::StatusOr<at::Tensor> missing = LoadClipImage("no/such/image.png", 24);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("no/such/image.png"));
}

TEST(ClipEncoding, ClassNamesFromTheFlagOrAFile) {
  EXPECT_THAT(*ParseClassNames(" cat, dog ,grass"), ElementsAre("cat", "dog", "grass"));
  const std::string file = TempPath("names.txt");
  std::ofstream(file) << "red circle\n\n  blue square  \n";
  EXPECT_THAT(*ParseClassNames("@" + file), ElementsAre("red circle", "blue square"));
  EXPECT_THAT(std::string(ParseClassNames("a,,b").status().message()), HasSubstr("empty class name"));
  EXPECT_THAT(std::string(ParseClassNames("a,b,a").status().message()), HasSubstr("class 'a' appears twice"));
  EXPECT_EQ(ParseClassNames("@" + TempPath("none.txt")).status().code(), absl::StatusCode::kNotFound);
}

TEST(ClipEncoding, DeviceNames) {
  EXPECT_EQ(*ParseDeviceName("cpu"), at::Device(at::kCPU));
  EXPECT_THAT(std::string(ParseDeviceName("tpu").status().message()), HasSubstr("expected cpu or cuda"));
}

}  // namespace
}  // namespace zegclip::engine
