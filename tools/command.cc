#include "tools/command.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "zegclip/base/path_check.h"

namespace zegclip::tools {

std::vector<std::string> CommandLine::Values(const std::string& flag) const {
  auto it = repeated.find(flag);
  return it == repeated.end() ? std::vector<std::string>{} : it->second;
}

int UsageError(const char* command, const std::string& message) {
  std::cerr << command << ": " << message << "\n";
  return 2;
}

int RuntimeError(const absl::Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 1;
}

std::string PositionalProblem(const CommandLine& command_line) {
  if (command_line.positional.empty()) return "";
  return absl::StrCat("unexpected argument '", command_line.positional[0],
                      "' (quote texts with spaces: --text=\"a photo of a cat\")");
}

std::string OutputPathProblem(const char* flag, const std::string& path) {
  if (path.empty()) return "";
  const std::filesystem::path p(path);
  const std::filesystem::path folder = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  absl::Status in_folder = base::CheckDirectory(folder.string(), "folder");
  if (in_folder.code() == absl::StatusCode::kNotFound) {
    return absl::StrCat("--", flag, "=", path, ": folder ", folder.string(), " does not exist");
  }
  if (!in_folder.ok()) return absl::StrCat("--", flag, "=", path, ": ", in_folder.message());
  absl::StatusOr<base::PathType> type = base::TypeOf(path, "output file");
  if (!type.ok()) return absl::StrCat("--", flag, "=", path, ": ", type.status().message());
  if (*type == base::PathType::kDirectory) return absl::StrCat("--", flag, "=", path, " is a folder");
  return "";
}

void UseAllCores() { at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))); }

}  // namespace zegclip::tools
