#include "zegclip/train/op_recorder.h"

// The legacy CPU profiler: in Debian's LibTorch 1.13 (built without Kineto) and still shipped by LibTorch 2.x. A
// LibTorch without it records nothing (the tables come out empty) rather than failing to build.
#if __has_include(<torch/csrc/autograd/profiler_legacy.h>)
#include <torch/csrc/autograd/profiler_legacy.h>
#define ZEGCLIP_HAVE_LEGACY_PROFILER 1
#endif

namespace zegclip::train {

#ifdef ZEGCLIP_HAVE_LEGACY_PROFILER
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

#else

OpRecorder::OpRecorder() = default;
OpRecorder::~OpRecorder() = default;
std::vector<OpEvent> OpRecorder::Stop() {
  running_ = false;
  return {};
}

#endif  // ZEGCLIP_HAVE_LEGACY_PROFILER

}  // namespace zegclip::train
