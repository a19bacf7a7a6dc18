#include "zegclip/report/eval_comparison.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/numbers.h"

namespace zegclip::report {
namespace {

constexpr const char* kHeadline[] = {"pAcc", "mAcc", "mIoU", "mIoU_seen", "mIoU_unseen", "hIoU", "images"};

// A number, or a string holding one (eval.json's extra fields are written as strings); NaN/inf count as absent.
std::optional<double> AsNumber(const nlohmann::json& v) {
  double x = NAN;
  if (v.is_number()) {
    x = v.get<double>();
  } else if (!v.is_string() || !absl::SimpleAtod(v.get<std::string>(), &x)) {
    return std::nullopt;
  }
  if (!std::isfinite(x)) return std::nullopt;
  return x;
}

std::optional<double> Field(const nlohmann::json& j, const std::string& key) {
  if (!j.is_object() || !j.contains(key)) return std::nullopt;
  return AsNumber(j.at(key));
}

std::vector<MetricPair> Metrics(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<MetricPair> out;
  std::set<std::string> shown;
  for (const char* key : kHeadline) {
    shown.insert(key);
    MetricPair p{key, Field(a, key), Field(b, key)};
    if (p.a || p.b) out.push_back(p);
  }
  std::set<std::string> others;  // sorted
  for (const nlohmann::json* j : {&a, &b}) {
    if (!j->is_object()) continue;
    for (const auto& [key, value] : j->items()) {
      if (!shown.count(key) && AsNumber(value)) others.insert(key);
    }
  }
  for (const std::string& key : others) out.push_back({key, Field(a, key), Field(b, key)});
  return out;
}

// name -> (seen, iou) of every class in `j["classes"]`, in file order.
std::vector<std::pair<std::string, std::pair<bool, std::optional<double>>>> Classes(const nlohmann::json& j) {
  std::vector<std::pair<std::string, std::pair<bool, std::optional<double>>>> out;
  if (!j.is_object() || !j.contains("classes") || !j.at("classes").is_array()) return out;
  for (const nlohmann::json& c : j.at("classes")) {
    if (!c.is_object() || !c.contains("name") || !c.at("name").is_string()) continue;
    const bool seen = c.contains("seen") && c.at("seen").is_boolean() ? c.at("seen").get<bool>() : true;
    out.push_back({c.at("name").get<std::string>(), {seen, c.contains("iou") ? AsNumber(c.at("iou")) : std::nullopt}});
  }
  return out;
}

}  // namespace

EvalComparison CompareEvalResults(const nlohmann::json& a, const nlohmann::json& b,
                                  const EvalComparisonOptions& options) {
  EvalComparison out;
  out.metrics = Metrics(a, b);
  std::vector<ClassIouPair> pairs;
  std::map<std::string, size_t> index;
  for (const auto& [name, v] : Classes(a)) {
    index[name] = pairs.size();
    pairs.push_back({name, v.first, v.second, std::nullopt});
  }
  for (const auto& [name, v] : Classes(b)) {
    auto it = index.find(name);
    if (it == index.end()) {
      pairs.push_back({name, v.first, std::nullopt, v.second});
    } else {
      pairs[it->second].b = v.second;
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
