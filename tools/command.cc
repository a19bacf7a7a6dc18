#include "tools/command.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "zegclip/base/path_check.h"
#include "zegclip/config/config_loader.h"
#include "zegclip/engine/process_setup.h"

namespace zegclip::tools {
namespace {

// Flags that may be given several times; gflags would keep only the last value, so they are collected here first.
// `--set` is no gflags flag and is removed from argv; the others stay there as well, so a command that takes one
// value of the same flag (segment's --image) still reads it through gflags.
constexpr const char* kRepeatedFlags[] = {"set", "text", "image"};

// The value of argv[*i] if it is --NAME=V / -NAME=V, or --NAME V / -NAME V (then *i moves onto V); else null.
const char* RepeatedFlagValue(const char* name, int argc, char** argv, int* i) {
  const char* arg = argv[*i];
  if (arg[0] != '-') return nullptr;
  arg += arg[1] == '-' ? 2 : 1;
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0) return nullptr;
  if (arg[n] == '=') return arg + n + 1;
  if (arg[n] == '\0' && *i + 1 < argc) return argv[++*i];
  return nullptr;
}

// Collects every repeatable flag's values in command-line order (see kRepeatedFlags); removes --set from argv.
std::map<std::string, std::vector<std::string>> TakeRepeatedFlags(int* argc, char** argv) {
  std::map<std::string, std::vector<std::string>> values;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    const int start = i;
    bool removed = false;
    for (const char* name : kRepeatedFlags) {
      if (const char* value = RepeatedFlagValue(name, *argc, argv, &i); value != nullptr) {
        values[name].emplace_back(value);
        removed = std::strcmp(name, "set") == 0;
        break;
      }
    }
    if (removed) continue;
    for (int k = start; k <= i; ++k) argv[out++] = argv[k];
  }
  *argc = out;
  return values;
}

std::string Invocation(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

}  // namespace

CommandLine TakeCommandLine(int* argc, char** argv) {
  CommandLine command_line;
  command_line.invocation = Invocation(*argc, argv);
  command_line.repeated = TakeRepeatedFlags(argc, argv);
  command_line.overrides = command_line.repeated["set"];
  command_line.repeated.erase("set");
  return command_line;
}

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

int RequireConfigAndWorkDir(const char* command, const std::string& config, const std::string& work_dir) {
  if (!config.empty() && !work_dir.empty()) return 0;
  return UsageError(command, "--config=FILE and --work_dir=DIR are required");
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

int RunStageCommand(const std::string& name, const std::string& config_path,
                    const std::vector<std::string>& overrides, const StageBody& body) {
  absl::StatusOr<config::Experiment> experiment = config::LoadExperiment(config_path, overrides);
  if (!experiment.ok()) return RuntimeError(experiment.status());
  absl::StatusOr<std::unique_ptr<distributed::Communicator>> comm = engine::SetUpProcess(*experiment);
  if (!comm.ok()) return RuntimeError(comm.status());
  absl::Status status;
  try {
    status = body(*experiment, **comm);
  } catch (const c10::Error& error) {
    status = absl::InternalError(error.what_without_backtrace());
  }
  if (status.ok()) return 0;
  std::cerr << "error: " << status.message() << "\n";
  if ((*comm)->size() > 1) (*comm)->Abort(name + " failed: " + std::string(status.message()));
  return 1;
}

}  // namespace zegclip::tools
