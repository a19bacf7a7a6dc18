// An append-only JSON-lines log (metrics.jsonl): one flat object per line, numbers written exactly (%.17g), flushed
// per line so a crashed run keeps what it logged.
//
// Example:
//   MetricsLog log;
//   absl::Status s = log.Open(work_dir + "/metrics.jsonl");
//   log.Write({{"mode", "train"}}, {{"iter", 50}, {"lr", 1.9e-5}, {"loss", 0.42}});
//   // {"mode": "train", "iter": 50, "lr": 1.9000000000000001e-05, "loss": 0.41999999999999998}
#ifndef ZEGCLIP_TRAIN_METRICS_LOG_H_
#define ZEGCLIP_TRAIN_METRICS_LOG_H_

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace zegclip::train {

class MetricsLog {
 public:
  MetricsLog() = default;
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;

  // Opens `path` for appending (created if missing).
  absl::Status Open(const std::string& path);
  bool is_open() const { return file_ != nullptr; }

  // Writes one line: the string fields first, then the numbers, each in the given order. Non-finite numbers are
  // written as null (JSON has no NaN).
  absl::Status Write(const std::vector<std::pair<std::string, std::string>>& strings,
                     const std::vector<std::pair<std::string, double>>& numbers);

  // One line as Write would print it (without the newline).
  static std::string FormatLine(const std::vector<std::pair<std::string, std::string>>& strings,
                                const std::vector<std::pair<std::string, double>>& numbers);

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

// A JSON string literal (quotes and escapes included).
std::string JsonQuote(const std::string& s);

}  // namespace zegclip::train

#endif  // ZEGCLIP_TRAIN_METRICS_LOG_H_
