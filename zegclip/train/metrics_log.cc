#include "zegclip/train/metrics_log.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace zegclip::train {

std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string MetricsLog::FormatLine(const std::vector<std::pair<std::string, std::string>>& strings,
                                   const std::vector<std::pair<std::string, double>>& numbers) {
  std::string line = "{";
  const char* sep = "";
  for (const auto& [key, value] : strings) {
    absl::StrAppend(&line, sep, JsonQuote(key), ": ", JsonQuote(value));
    sep = ", ";
  }
  for (const auto& [key, value] : numbers) {
    absl::StrAppend(&line, sep, JsonQuote(key), ": ", std::isfinite(value) ? absl::StrFormat("%.17g", value) : "null");
    sep = ", ";
  }
  return line + "}";
}

MetricsLog::~MetricsLog() {
  if (file_ != nullptr) std::fclose(file_);
}

absl::Status MetricsLog::Open(const std::string& path) {
  if (file_ != nullptr) std::fclose(file_);
  path_ = path;
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) return absl::InternalError(absl::StrCat(path, ": cannot open for appending: ", std::strerror(errno)));
  return absl::OkStatus();
}

absl::Status MetricsLog::Write(const std::vector<std::pair<std::string, std::string>>& strings,
                               const std::vector<std::pair<std::string, double>>& numbers) {
  if (file_ == nullptr) return absl::FailedPreconditionError("MetricsLog::Write before Open");
  const std::string line = FormatLine(strings, numbers) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return absl::InternalError(absl::StrCat(path_, ": write failed: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace zegclip::train
