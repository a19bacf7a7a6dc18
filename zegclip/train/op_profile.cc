#include "zegclip/train/op_profile.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "zegclip/base/atomic_file.h"
#include "zegclip/train/metrics_log.h"

namespace zegclip::train {
namespace {

bool IsShape(const std::vector<int64_t>& s, size_t dims) { return s.size() == dims; }

// 2·M·K·N for a (M, K) x (K, N) product, times the batch for (B, M, K) x (B, K, N).
double ProductFlops(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  if (IsShape(a, 2) && IsShape(b, 2) && a[1] == b[0]) return 2.0 * a[0] * a[1] * b[1];
  if (IsShape(a, 3) && IsShape(b, 3) && a[0] == b[0] && a[2] == b[1]) return 2.0 * a[0] * a[1] * a[2] * b[2];
  return 0;
}

struct Node {
  const OpEvent* event;
  double child_us = 0;
  bool leaf = true;
};

}  // namespace

double MatmulFlops(const std::string& name, const std::vector<std::vector<int64_t>>& shapes) {
  if ((name == "aten::mm" || name == "aten::bmm") && shapes.size() >= 2) return ProductFlops(shapes[0], shapes[1]);
  if ((name == "aten::addmm" || name == "aten::baddbmm") && shapes.size() >= 3) {
    return ProductFlops(shapes[1], shapes[2]);
  }
  return 0;
}

OpProfile SummarizeOps(const std::vector<OpEvent>& events, int64_t steps) {
  std::map<uint64_t, std::vector<const OpEvent*>> by_thread;
  for (const OpEvent& e : events) by_thread[e.thread].push_back(&e);
  std::map<std::string, OpRow> rows;
  OpProfile profile;
  profile.steps = std::max<int64_t>(steps, 1);
  double first = 0, last = 0;
  bool any = false;
  const auto finish = [&](const Node& node) {
    const OpEvent& e = *node.event;
    OpRow& row = rows[e.name];
    row.name = e.name;
    row.calls += 1;
    const double total = e.end_us - e.start_us;
    row.total_ms += total / 1000;
    row.self_ms += std::max(0.0, total - node.child_us) / 1000;
    row.gflop += MatmulFlops(e.name, e.shapes) / 1e9;
    profile.leaf_calls += node.leaf ? 1 : 0;
  };
  for (auto& [thread, list] : by_thread) {
    // Parents before their children: earlier start first, and at equal starts the longer call.
    std::sort(list.begin(), list.end(), [](const OpEvent* a, const OpEvent* b) {
      return a->start_us != b->start_us ? a->start_us < b->start_us : a->end_us > b->end_us;
    });
    std::vector<Node> stack;
    for (const OpEvent* e : list) {
      while (!stack.empty() && stack.back().event->end_us <= e->start_us) {
        finish(stack.back());
        stack.pop_back();
      }
      if (!stack.empty()) {
        stack.back().child_us += e->end_us - e->start_us;
        stack.back().leaf = false;
      }
      stack.push_back({e});
      first = any ? std::min(first, e->start_us) : e->start_us;
      last = any ? std::max(last, e->end_us) : e->end_us;
      any = true;
    }
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) finish(*it);
  }
  for (auto& [name, row] : rows) {
    profile.rows.push_back(row);
    profile.self_ms += row.self_ms;
    profile.calls += row.calls;
    profile.gflop += row.gflop;
  }
  std::sort(profile.rows.begin(), profile.rows.end(),
            [](const OpRow& a, const OpRow& b) { return a.self_ms > b.self_ms; });
  profile.span_ms = (last - first) / 1000;
  return profile;
}

std::string FormatOpTable(const OpProfile& p, int rows) {
  const double n = static_cast<double>(p.steps);
  std::ostringstream out;
  out << "| op | calls/step | self ms/step | share of op time | total ms/step | GFLOP/s |\n"
      << "|---|---:|---:|---:|---:|---:|\n";
  for (int i = 0; i < rows && i < static_cast<int>(p.rows.size()); ++i) {
    const OpRow& r = p.rows[i];
    const std::string rate = r.gflop > 0 && r.self_ms > 0 ? absl::StrFormat("%.1f", r.gflop / (r.self_ms / 1000)) : "";
    out << absl::StrFormat("| %s | %.1f | %.2f | %.1f %% | %.2f | %s |\n", r.name, r.calls / n, r.self_ms / n,
                           p.self_ms > 0 ? 100 * r.self_ms / p.self_ms : 0.0, r.total_ms / n, rate);
  }
  double matmul_ms = 0;
  for (const OpRow& r : p.rows) matmul_ms += r.gflop > 0 ? r.self_ms : 0;
  out << absl::StrFormat(
      "\nPer step (%lld steps profiled): %.1f ms inside ops of a %.1f ms span; %.0f op calls, %.0f of them leaves "
      "(no op nested inside: the kernels a GPU launches); matrix products %.2f GFLOP in %.1f ms (%.1f GFLOP/s).\n",
      static_cast<long long>(p.steps), p.self_ms / n, p.span_ms / n, p.calls / n, p.leaf_calls / n, p.gflop / n,
      matmul_ms / n, matmul_ms > 0 ? p.gflop / (matmul_ms / 1000) : 0.0);
  return out.str();
}

absl::Status WriteChromeTrace(const std::vector<OpEvent>& events, const std::string& path) {
  return base::WriteFileAtomically(path, [&](std::ostream& out) {
    out << "{\"traceEvents\": [\n";
    for (size_t i = 0; i < events.size(); ++i) {
      const OpEvent& e = events[i];
      out << absl::StrFormat("{\"name\": %s, \"ph\": \"X\", \"pid\": 0, \"tid\": %u, \"ts\": %.3f, \"dur\": %.3f}%s\n",
                             JsonQuote(e.name), e.thread, e.start_us, e.end_us - e.start_us,
                             i + 1 < events.size() ? "," : "");
    }
    out << "]}\n";
    return absl::OkStatus();
  });
}

}  // namespace zegclip::train
