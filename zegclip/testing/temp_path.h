// Paths for a test's files: under the test's own temp folder ($TEST_TMPDIR under `bazel test`; outside Bazel a
// per-process folder /tmp/zegclip_test_<pid>, so two test binaries run by hand never share files). No gtest
// dependency, so fuzz targets and benchmarks may use it too.
//
// Example:
//   const std::string path = TempPath("model.ckpt");        // the file itself is not created
//   const std::string dir = FreshTempDir("run");             // an empty folder (emptied if it existed)
#ifndef ZEGCLIP_TESTING_TEMP_PATH_H_
#define ZEGCLIP_TESTING_TEMP_PATH_H_

#include <string>

namespace zegclip::testing {

// The folder every TempPath lies in (created on first use).
const std::string& TempRoot();

// TempRoot()/name; `name` may contain folders, which are not created.
std::string TempPath(const std::string& name);

// TempRoot()/name as an empty folder: removed with its contents first if it exists.
std::string FreshTempDir(const std::string& name);

}  // namespace zegclip::testing

#endif  // ZEGCLIP_TESTING_TEMP_PATH_H_
