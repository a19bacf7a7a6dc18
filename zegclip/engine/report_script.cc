#include "zegclip/engine/report_script.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern const char kMakeReportPy[];

namespace zegclip::engine {

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The script's one "error: <file>: <what>" line without its prefix; else its last line (a crash of the interpreter
// itself), else how it ended.
std::string ScriptError(const std::string& stderr_text, int status, const std::string& python) {
  std::vector<std::string> lines = absl::StrSplit(stderr_text, '\n', absl::SkipWhitespace());
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (absl::StartsWith(*it, "error: ")) return it->substr(7);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return python + ": not found (install it with: bash tools/setup.sh, or set ZEGCLIP_PYTHON)";
  }
  if (!lines.empty()) return absl::StrCat("the report script failed: ", lines.back());
  return absl::StrCat("the report script failed (exit status ", WIFEXITED(status) ? WEXITSTATUS(status) : status,
                      ")");
}

}  // namespace

absl::Status RunReportScript(const std::vector<std::string>& args) {
  char script[] = "/tmp/zegclip_make_report_XXXXXX";
  const int fd = mkstemp(script);
  if (fd < 0) return absl::UnavailableError("report: cannot create a temporary file in /tmp");
  close(fd);
  const std::string errors = std::string(script) + ".err";
  std::ofstream(script) << kMakeReportPy;
  // Debian's interpreter (tools/setup.sh gives it matplotlib) unless ZEGCLIP_PYTHON names another (GPU hosts keep
  // matplotlib in a virtual environment).
  const char* chosen = std::getenv("ZEGCLIP_PYTHON");
  const std::string python = chosen != nullptr && *chosen != '\0' ? chosen : "/usr/bin/python3";
  std::string command = "MPLCONFIGDIR=${MPLCONFIGDIR:-/tmp/zegclip-mpl} '" + python + "' " + script;
  for (const std::string& arg : args) command += " '" + arg + "'";
  // stderr is kept aside: on failure its one error line becomes this Status (the caller prints it once); on
  // success whatever the script warned about is passed on.
  command += " 2>'" + errors + "'";
  const int status = std::system(command.c_str());
  const std::string stderr_text = ReadAll(errors);
  unlink(script);
  unlink(errors.c_str());
  if (status == 0) {
    std::cerr << stderr_text;
    return absl::OkStatus();
  }
  return absl::InternalError(ScriptError(stderr_text, status, python));
}

}  // namespace zegclip::engine
