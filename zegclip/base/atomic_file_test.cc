#include "zegclip/base/atomic_file.h"

#include <linux/capability.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace zegclip::base {
namespace {

// A fresh folder per test under Bazel's TEST_TMPDIR.
std::string TestFolder(const std::string& name) {
  const char* root = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(root != nullptr ? root : "/tmp") + "/atomic_file_test_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

// Runs `body` in a forked child and returns what it wrote to the pipe (the child's status message). Used where the
// test must change process-wide state (user id, file-size limit) that must not leak into the other tests.
std::string RunInChild(const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const std::string message = body();
    (void)!::write(fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char chunk[256];
  for (ssize_t n; (n = ::read(fds[0], chunk, sizeof(chunk))) > 0;) message.append(chunk, static_cast<size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return message;
}

TEST(AtomicFile, WritesContent) {
  const std::string path = TestFolder("writes") + "/eval.json";
  ASSERT_TRUE(WriteFileAtomically(path, "{\"miou\": 1}\n").ok());
  EXPECT_EQ(ReadAll(path), "{\"miou\": 1}\n");
  EXPECT_FALSE(Exists(AtomicTempPath(path)));
}

TEST(AtomicFile, WritesEmptyContent) {
  const std::string path = TestFolder("empty") + "/empty";
  ASSERT_TRUE(WriteFileAtomically(path, std::string()).ok());
  EXPECT_TRUE(Exists(path));
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
}

TEST(AtomicFile, ReplacesExistingContentAndLeavesNoTemp) {
  const std::string path = TestFolder("replaces") + "/m.json";
  ASSERT_TRUE(WriteFileAtomically(path, "first, and longer than the second").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  EXPECT_EQ(ReadAll(path), "second");  // replaced, not overwritten in place (no tail of the first)
  EXPECT_FALSE(Exists(AtomicTempPath(path)));
}

TEST(AtomicFile, StreamsContent) {
  const std::string path = TestFolder("streams") + "/big.bin";
  std::string expected;
  for (int k = 0; k < 100000; ++k) expected += std::to_string(k) + ",";
  expected += std::string(1 << 20, 'x');  // one block larger than the stream's buffer (written around it)
  ASSERT_TRUE(WriteFileAtomically(path, [&](std::ostream& out) {
                for (int k = 0; k < 100000; ++k) out << k << ",";
                out.write(expected.data() + expected.size() - (1 << 20), 1 << 20);
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(ReadAll(path), expected);
}

TEST(AtomicFile, StreamWriterErrorLeavesTargetUntouched) {
  const std::string path = TestFolder("stream_error") + "/ckpt";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  const absl::Status s = WriteFileAtomically(path, [](std::ostream& out) {
    out << "half of the new content";
    return absl::InternalError("serialiser gave up");
  });
  EXPECT_EQ(s, absl::InternalError("serialiser gave up"));  // the writer's own error, unchanged
  EXPECT_EQ(ReadAll(path), "old");
  EXPECT_FALSE(Exists(AtomicTempPath(path)));
}

TEST(AtomicFile, ViaTempPath) {
  const std::string path = TestFolder("via") + "/merges.txt";
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  std::string seen_temp;
  ASSERT_TRUE(WriteFileAtomicallyVia(path, [&](const std::string& temp) {
                seen_temp = temp;
                std::ofstream(temp, std::ios::binary) << "new";
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(seen_temp, AtomicTempPath(path));
  EXPECT_EQ(ReadAll(path), "new");
  EXPECT_FALSE(Exists(seen_temp));

  const absl::Status failed = WriteFileAtomicallyVia(path, [](const std::string& temp) {
    std::ofstream(temp, std::ios::binary) << "torn";
    return absl::UnavailableError("gzwrite failed");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(ReadAll(path), "new");
  EXPECT_FALSE(Exists(AtomicTempPath(path)));
}

TEST(AtomicFile, MissingFolderFailsWithThePath) {
  const absl::Status s = WriteFileAtomically("/nonexistent/dir/m.json", "x");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("/nonexistent/dir/m.json"), std::string::npos) << s;
}

// Drops every effective capability of this process (CAP_DAC_OVERRIDE above all), so that even root is held to file
// permissions. Always allowed: a process may lower its own effective set. No libcap: the raw system call.
bool DropEffectiveCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  for (auto& d : data) d.effective = 0;
  return ::syscall(SYS_capset, &header, data) == 0;
}

// A read-only folder: the write is refused naming the target, and the target keeps its content. Tests often run as
// root (in Bazel's sandbox: root of a user namespace, where setuid to another user fails), whom permissions do not
// stop, so the attempt is made by a child that first gives up its capabilities.
TEST(AtomicFile, UnwritableFolderFailsWithThePathAndLeavesTargetUntouched) {
  const std::string dir = TestFolder("unwritable");
  const std::string path = dir + "/eval.json";
  ASSERT_TRUE(WriteFileAtomically(path, "old result").ok());
  ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);
  const std::string message = RunInChild([&] {
    if (!DropEffectiveCapabilities()) return std::string("cannot drop root");
    const absl::Status s = WriteFileAtomically(path, "new result");
    return s.ok() ? std::string("OK") : std::string(s.message());
  });
  ::chmod(dir.c_str(), 0755);
  EXPECT_NE(message, "OK");
  EXPECT_NE(message, "cannot drop root");
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_EQ(ReadAll(path), "old result");
  EXPECT_FALSE(Exists(AtomicTempPath(path)));
}

// The disk filling up mid-write (a file-size limit makes write() fail the same way): an error naming the target and
// the reason, the target untouched, and no temporary file left taking the space.
TEST(AtomicFile, FailedWriteLeavesTargetUntouched) {
  const std::string path = TestFolder("full_disk") + "/iter_10.ckpt";
  ASSERT_TRUE(WriteFileAtomically(path, "previous checkpoint").ok());
  const std::string message = RunInChild([&] {
    ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of the process being killed
    rlimit limit{};
    ::getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = 1 << 20;
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return std::string("setrlimit failed");
    const std::string chunk(1 << 16, 'n');
    const absl::Status s = WriteFileAtomically(path, [&](std::ostream& out) {
      for (int k = 0; k < 64; ++k) out.write(chunk.data(), chunk.size());  // 4 MiB
      return absl::OkStatus();
    });
    return s.ok() ? std::string("OK") : std::string(s.message());
  });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("too large"), std::string::npos) << message;  // strerror(EFBIG): "File too large"
  EXPECT_EQ(ReadAll(path), "previous checkpoint");
  EXPECT_FALSE(Exists(AtomicTempPath(path)));
}

constexpr size_t kLarge = size_t{64} << 20;  // 64 MiB: a write that takes a while, like a real checkpoint

// Forks a writer of kLarge bytes of 'n' over `path`. With `pause_after` > 0 the writer stops after that many bytes
// (flushed to the temporary file), tells the parent through `ready`, and waits to be killed.
pid_t StartLargeWriter(const std::string& path, size_t pause_after, int* ready_fd) {
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    const std::string chunk(1 << 20, 'n');
    const absl::Status s = WriteFileAtomically(path, [&](std::ostream& out) {
      for (size_t written = 0; written < kLarge; written += chunk.size()) {
        if (pause_after > 0 && written == pause_after) {
          out.flush();
          (void)!::write(ready[1], "r", 1);
          for (;;) ::pause();  // killed here, mid-write
        }
        out.write(chunk.data(), chunk.size());
      }
      return absl::OkStatus();
    });
    ::_exit(s.ok() ? 0 : 1);
  }
  ::close(ready[1]);
  *ready_fd = ready[0];
  return pid;
}

// Killed mid-write (deterministically: once half of the new content is in the temporary file), the target still
// holds exactly the old content.
TEST(AtomicFile, KilledMidWriteLeavesTheOldContent) {
  const std::string path = TestFolder("killed") + "/iter_20.ckpt";
  const std::string old_content = "the previous checkpoint, complete";
  ASSERT_TRUE(WriteFileAtomically(path, old_content).ok());
  int ready = -1;
  const pid_t pid = StartLargeWriter(path, kLarge / 2, &ready);
  ASSERT_GT(pid, 0);
  char byte = 0;
  ASSERT_EQ(::read(ready, &byte, 1), 1);
  ::close(ready);
  const std::string temp = path + ".tmp." + std::to_string(pid);
  ASSERT_TRUE(Exists(temp));
  EXPECT_EQ(std::filesystem::file_size(temp), kLarge / 2);  // the new content really was half written
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
  EXPECT_EQ(ReadAll(path), old_content);
}

// Killed at arbitrary moments (before, during and after the write and rename): the target is always exactly the old
// content or exactly the new, never a mixture or a prefix.
TEST(AtomicFile, KilledAtAnyMomentLeavesOldOrNew) {
  const std::string path = TestFolder("killed_any") + "/eval.bin";
  const std::string old_content(kLarge / 4, 'o');
  const std::string new_content(kLarge, 'n');
  int saw_old = 0, saw_new = 0;
  for (int delay_ms : {0, 1, 3, 10, 30, 100, 300, 3000}) {
    ASSERT_TRUE(WriteFileAtomically(path, old_content).ok());
    int ready = -1;
    const pid_t pid = StartLargeWriter(path, /*pause_after=*/0, &ready);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ::close(ready);
    const std::string now = ReadAll(path);
    ASSERT_TRUE(now == old_content || now == new_content)
        << "after " << delay_ms << " ms: " << now.size() << " bytes, neither the old nor the new content";
    (now == old_content ? saw_old : saw_new) += 1;
    std::filesystem::remove(path + ".tmp." + std::to_string(pid));
  }
  EXPECT_GT(saw_old, 0);  // the 0 ms kill lands before the rename
}

}  // namespace
}  // namespace zegclip::base
