// Runs collectives on one background thread, one at a time, in the order they were submitted: the way Horovod's
// background thread lets the training thread go on computing while MPI moves a bucket. Every rank submits the same
// collectives in the same order, so they line up across ranks exactly as blocking calls would.
//
// The thread may run at a lower priority (`niceness`, Linux's nice value, 0-19): then it computes with what the
// training threads leave idle. MPI between ranks on one host is CPU work (shared-memory copies and polling); on a
// machine whose cores all compute, a full-priority thread would slow backward down by more than it hides.
//
// A queue made with `threaded = false` runs each submission inline (for MPI libraries that do not allow calls from a
// second thread); its work is complete when Submit returns.
//
// Example:
//   CollectiveQueue queue(/*threaded=*/true);
//   std::unique_ptr<CollectiveWork> work = queue.Submit([=] { MPI_Allreduce(...); });
//   ...
//   work->Wait();   // rethrows what the call threw
#ifndef ZEGCLIP_DISTRIBUTED_COLLECTIVE_QUEUE_H_
#define ZEGCLIP_DISTRIBUTED_COLLECTIVE_QUEUE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "zegclip/distributed/collective_work.h"

namespace zegclip::distributed {

class CollectiveQueue {
 public:
  explicit CollectiveQueue(bool threaded, int niceness = 0);
  // Runs what was submitted, then stops the thread.
  ~CollectiveQueue();
  CollectiveQueue(const CollectiveQueue&) = delete;
  CollectiveQueue& operator=(const CollectiveQueue&) = delete;

  // Runs `call` after every earlier submission. Safe to call from any thread.
  std::unique_ptr<CollectiveWork> Submit(std::function<void()> call);
  // Submits `call` and waits for it.
  void Run(std::function<void()> call) { Submit(std::move(call))->Wait(); }

  bool threaded() const { return thread_.joinable(); }

 private:
  struct Task;
  class TaskWork;
  void Loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Task>> tasks_;
  bool stop_ = false;
  const int niceness_;
  std::thread thread_;
};

}  // namespace zegclip::distributed

#endif  // ZEGCLIP_DISTRIBUTED_COLLECTIVE_QUEUE_H_
