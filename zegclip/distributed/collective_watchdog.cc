#include "zegclip/distributed/collective_watchdog.h"

#include <algorithm>
#include <cstdio>

namespace zegclip::distributed {

CollectiveWatchdog::CollectiveWatchdog(double timeout_seconds, AbortAction on_timeout)
    : timeout_seconds_(timeout_seconds), on_timeout_(std::move(on_timeout)) {
  if (timeout_seconds_ > 0) thread_ = std::thread([this] { Run(); });
}

CollectiveWatchdog::~CollectiveWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

CollectiveWatchdog::Scope::Scope(CollectiveWatchdog& watchdog, const char* call) : watchdog_(watchdog) {
  watchdog_.Begin(call);
}

CollectiveWatchdog::Scope::~Scope() { watchdog_.End(); }

void CollectiveWatchdog::Begin(const char* call) {
  if (!thread_.joinable()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  in_flight_ = call;
  started_ = Clock::now();
}

void CollectiveWatchdog::End() {
  if (!thread_.joinable()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  in_flight_ = nullptr;
}

void CollectiveWatchdog::Run() {
  // Poll often enough that the abort comes at most ~10% (and at most 1 s) after the deadline.
  const auto poll = std::chrono::duration<double>(std::clamp(timeout_seconds_ / 10.0, 0.01, 1.0));
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, poll);
    if (stop_ || in_flight_ == nullptr) continue;
    const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    if (elapsed <= timeout_seconds_) continue;
    char why[256];
    std::snprintf(why, sizeof(why),
                  "%s has been in flight for %.1f s (timeout %.1f s): a peer rank died or stalled", in_flight_,
                  elapsed, timeout_seconds_);
    const std::string message = why;
    in_flight_ = nullptr;  // report once
    lock.unlock();
    on_timeout_(message);
    lock.lock();
  }
}

}  // namespace zegclip::distributed
