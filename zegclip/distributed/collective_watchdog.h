// A watchdog thread that notices a collective stuck longer than a timeout (a peer rank died or stalled) and calls
// an abort action, so every rank exits instead of hanging forever inside a blocking MPI / NCCL call.
//
// Example:
//   CollectiveWatchdog watchdog(/*timeout_seconds=*/600, [&](const std::string& why) { comm.Abort(why); });
//   {
//     CollectiveWatchdog::Scope scope(watchdog, "MPI_Allreduce");
//     MPI_Allreduce(...);    // if this takes > 600 s, the abort action runs on the watchdog thread
//   }
#ifndef ZEGCLIP_DISTRIBUTED_COLLECTIVE_WATCHDOG_H_
#define ZEGCLIP_DISTRIBUTED_COLLECTIVE_WATCHDOG_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace zegclip::distributed {

class CollectiveWatchdog {
 public:
  // Receives "<call> has been in flight for N s (timeout T s)"; expected not to return (it aborts the job).
  using AbortAction = std::function<void(const std::string& why)>;

  // timeout_seconds <= 0 disables the watchdog (no thread is started).
  CollectiveWatchdog(double timeout_seconds, AbortAction on_timeout);
  ~CollectiveWatchdog();
  CollectiveWatchdog(const CollectiveWatchdog&) = delete;
  CollectiveWatchdog& operator=(const CollectiveWatchdog&) = delete;

  // Marks one collective as in flight for its lifetime. Collectives of one communicator do not nest.
  class Scope {
   public:
    Scope(CollectiveWatchdog& watchdog, const char* call);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    CollectiveWatchdog& watchdog_;
  };

  double timeout_seconds() const { return timeout_seconds_; }

 private:
  using Clock = std::chrono::steady_clock;
  void Begin(const char* call);
  void End();
  void Run();

  const double timeout_seconds_;
  const AbortAction on_timeout_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  const char* in_flight_ = nullptr;  // the call in flight, or nullptr
  Clock::time_point started_;
  std::thread thread_;
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_COLLECTIVE_WATCHDOG_H_
