#include "zegclip/train/op_recorder.h"

#include <torch/csrc/autograd/profiler_legacy.h>

namespace zegclip::train {
namespace {

namespace profiler = torch::autograd::profiler;

// Pairs each thread's push/pop events (they nest like brackets) into op calls.
std::vector<OpEvent> ToOpEvents(const profiler::thread_event_lists& lists) {
  std::vector<OpEvent> events;
  for (const auto& list : lists) {
    std::vector<const profiler::LegacyEvent*> open;
    for (const profiler::LegacyEvent& e : list) {
      if (e.kind() == profiler::EventKind::PushRange) {
        open.push_back(&e);
      } else if (e.kind() == profiler::EventKind::PopRange && !open.empty()) {
        const profiler::LegacyEvent& start = *open.back();
        open.pop_back();
        events.push_back({start.name(), start.threadId(), start.cpuUs(), e.cpuUs(), start.shapes()});
      }
    }
  }
  return events;
}

}  // namespace

OpRecorder::OpRecorder() {
  profiler::enableProfilerLegacy(
      torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU, /*report_input_shapes=*/true));
}

OpRecorder::~OpRecorder() {
  if (running_) profiler::disableProfilerLegacy();
}

std::vector<OpEvent> OpRecorder::Stop() {
  running_ = false;
  return ToOpEvents(profiler::disableProfilerLegacy());
}

}  // namespace zegclip::train
