#include "zegclip/report/run_manifest.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/report/build_info.h"

namespace zegclip::report {
namespace {

// Runs a short shell command and returns its trimmed output ("" on failure).
std::string CommandOutput(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 256> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  if (pclose(pipe) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string IsoTime(int64_t unix_ms) {
  std::time_t seconds = unix_ms / 1000;
  std::tm utc;
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string UtcTimeNow() { return IsoTime(NowMs()); }

RunManifest StartManifest(const std::string& command, const std::string& subcommand, uint64_t seed) {
  RunManifest m;
  m.command = command;
  m.subcommand = subcommand;
  m.seed = seed;
  // A tree exported with `git archive` (the GPU check's copy) has no .git of its own and names its commit here;
  // asking git would find an enclosing checkout's commit instead.
  const char* exported = std::getenv("ZEGCLIP_GIT_COMMIT");
  m.git_commit = exported != nullptr && *exported != '\0' ? exported : CommandOutput("git rev-parse HEAD");
  if (exported != nullptr && *exported != '\0') {
    m.git_dirty = false;  // an archive of a commit is that commit
  } else if (m.git_commit.empty()) {
    m.git_commit = "unknown";
  } else {
    m.git_dirty = !CommandOutput("git status --porcelain --untracked-files=no").empty();
  }
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  m.hostname = host;
  m.versions = VersionInfo();
  m.start_unix_ms = NowMs();
  m.start_time = IsoTime(m.start_unix_ms);
  return m;
}

void FinishManifest(RunManifest* manifest) {
  const int64_t now = NowMs();
  manifest->end_time = IsoTime(now);
  manifest->wall_seconds = (now - manifest->start_unix_ms) / 1000.0;
}

std::string ManifestToJson(const RunManifest& m) {
  nlohmann::ordered_json j;
  j["command"] = m.command;
  j["subcommand"] = m.subcommand;
  j["git_commit"] = m.git_commit;
  j["git_dirty"] = m.git_dirty;
  j["hostname"] = m.hostname;
  j["world_size"] = m.world_size;
  j["backend"] = m.backend;
  j["seed"] = m.seed;
  j["threads"] = m.threads;
  for (const auto& [name, version] : m.versions) j["versions"][name] = version;
  j["start_time"] = m.start_time;
  j["end_time"] = m.end_time;
  j["wall_seconds"] = m.wall_seconds;
  for (const auto& [key, value] : m.extra) j["extra"][key] = value;
  return j.dump(2) + "\n";
}

absl::Status WriteManifest(const RunManifest& manifest, const std::string& path) {
  return base::WriteFileAtomically(path, ManifestToJson(manifest));
}

}  // namespace zegclip::report
