#include "zegclip/report/eval_comparison.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace zegclip::report {
namespace {

std::optional<double> Finite(double x) { return std::isfinite(x) ? std::optional<double>(x) : std::nullopt; }

// The headline rows in NumericFields' order, then every other key either record holds, sorted; rows that are a
// number in neither run are left out.
std::vector<MetricPair> Metrics(const EvalRecord& a, const EvalRecord& b) {
  const std::vector<std::pair<std::string, double>> fa = NumericFields(a), fb = NumericFields(b);
  std::vector<MetricPair> out;
  for (size_t i = 0; i < kHeadlineFields; ++i) out.push_back({fa[i].first, Finite(fa[i].second), Finite(fb[i].second)});
  std::map<std::string, MetricPair> rest;
  for (size_t i = kHeadlineFields; i < fa.size(); ++i) rest[fa[i].first] = {fa[i].first, Finite(fa[i].second), {}};
  for (size_t i = kHeadlineFields; i < fb.size(); ++i) {
    MetricPair& m = rest[fb[i].first];
    m.name = fb[i].first;
    m.b = Finite(fb[i].second);
  }
  for (const auto& [key, m] : rest) out.push_back(m);
  out.erase(std::remove_if(out.begin(), out.end(), [](const MetricPair& m) { return !m.a && !m.b; }), out.end());
  return out;
}

}  // namespace

EvalComparison CompareEvalResults(const EvalRecord& a, const EvalRecord& b, const EvalComparisonOptions& options) {
  EvalComparison out;
  out.metrics = Metrics(a, b);
  std::vector<ClassIouPair> pairs;
  std::map<std::string, size_t> index;
  for (const ClassResult& k : a.classes) {
    index[k.name] = pairs.size();
    pairs.push_back({k.name, k.seen, Finite(k.iou), std::nullopt});
  }
  for (const ClassResult& k : b.classes) {
    auto it = index.find(k.name);
    if (it == index.end()) {
      pairs.push_back({k.name, k.seen, std::nullopt, Finite(k.iou)});
    } else {
      pairs[it->second].b = Finite(k.iou);
    }
  }
  std::vector<ClassIouPair> both, one_sided;
  for (const ClassIouPair& p : pairs) {
    if (p.a && p.b) {
      ++out.classes_compared;
      if (std::fabs(*p.b - *p.a) >= options.min_class_delta) both.push_back(p);
    } else if (p.a || p.b) {
      one_sided.push_back(p);
    }
  }
  // Largest moves first; ties keep the label order.
  std::stable_sort(both.begin(), both.end(), [](const ClassIouPair& x, const ClassIouPair& y) {
    return std::fabs(*x.b - *x.a) > std::fabs(*y.b - *y.a);
  });
  out.classes = both;
  out.classes.insert(out.classes.end(), one_sided.begin(), one_sided.end());
  out.classes_qualifying = static_cast<int>(out.classes.size());
  if (options.max_classes > 0 && static_cast<int>(out.classes.size()) > options.max_classes) {
    out.classes.resize(options.max_classes);
  }
  return out;
}

}  // namespace zegclip::report
