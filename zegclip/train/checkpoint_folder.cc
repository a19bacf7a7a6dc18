#include "zegclip/train/checkpoint_folder.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "absl/strings/str_cat.h"

namespace zegclip::train {
namespace {

// Whether process `pid` exists on this host (a temporary file of a live writer must not be removed).
bool ProcessAlive(const std::string& pid_text) {
  char* end = nullptr;
  const long pid = std::strtol(pid_text.c_str(), &end, 10);
  if (pid_text.empty() || *end != '\0' || pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

std::string CheckpointFolder::Path(int64_t iter) const { return absl::StrCat(work_dir_, "/iter_", iter, ".ckpt"); }

std::vector<int64_t> CheckpointFolder::Iters() const {
  std::vector<int64_t> iters;
  std::error_code ec;
  if (!std::filesystem::is_directory(work_dir_, ec)) return iters;
  // At most 18 digits: every such number fits int64 (a longer name is no checkpoint of ours, and must not throw).
  static const std::regex kName("iter_([0-9]{1,18})\\.ckpt");
  for (std::filesystem::directory_iterator it(work_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch match;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, match, kName)) iters.push_back(std::stoll(match[1].str()));
  }
  std::sort(iters.begin(), iters.end());
  return iters;
}

std::optional<int64_t> CheckpointFolder::Latest() const {
  const std::vector<int64_t> iters = Iters();
  if (iters.empty()) return std::nullopt;
  return iters.back();
}

void CheckpointFolder::Prune(int keep_last) const {
  if (keep_last <= 0) return;
  const std::vector<int64_t> iters = Iters();
  const size_t keep = static_cast<size_t>(keep_last);
  for (size_t i = 0; i + keep < iters.size(); ++i) {
    std::error_code ec;
    std::filesystem::remove(Path(iters[i]), ec);
  }
}

std::vector<std::string> CheckpointFolder::RemoveStrayTempFiles() const {
  // Never loaded, only deleted, and only when the writer is gone (the run lock keeps other runs out; the pid check
  // is a second guard).
  static const std::regex kTemp("iter_[0-9]+\\.ckpt\\.tmp\\.(.*)");
  std::error_code ec;
  std::vector<std::filesystem::path> stray;
  for (std::filesystem::directory_iterator it(work_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::smatch match;
    const std::string name = it->path().filename().string();
    if (std::regex_match(name, match, kTemp) && !ProcessAlive(match[1].str())) stray.push_back(it->path());
  }
  std::vector<std::string> removed;
  for (const auto& path : stray) {
    if (std::filesystem::remove(path, ec)) removed.push_back(path.string());
  }
  return removed;
}

absl::Status CheckpointFolder::CheckNoEarlierRun() const {
  const std::vector<int64_t> iters = Iters();
  if (iters.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      work_dir_, " holds checkpoints of an earlier run (", Path(iters.back()),
      "): starting from iteration 0 would mix them with this run's (a restart would resume the newest, pruning "
      "would delete this run's); resume it, or move its files away first"));
}

std::optional<std::string> CheckpointFolder::SetAside(int64_t iter) const {
  const std::string aside = Path(iter) + ".diverged";
  std::error_code ec;
  std::filesystem::rename(Path(iter), aside, ec);
  if (ec) return std::nullopt;
  return aside;
}

}  // namespace zegclip::train
