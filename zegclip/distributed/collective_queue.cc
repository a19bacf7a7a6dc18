#include "zegclip/distributed/collective_queue.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <utility>

namespace zegclip::distributed {

// One submission: the call, and whether (and how) it finished.
struct CollectiveQueue::Task {
  std::function<void()> call;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::exception_ptr error;

  void Execute() {
    std::exception_ptr caught;
    try {
      call();
    } catch (...) {
      caught = std::current_exception();
    }
    call = nullptr;  // drop what the call captured (tensors) as soon as it has run
    std::lock_guard<std::mutex> lock(mutex);
    error = caught;
    done = true;
    finished.notify_all();
  }
};

class CollectiveQueue::TaskWork : public CollectiveWork {
 public:
  explicit TaskWork(std::shared_ptr<Task> task) : task_(std::move(task)) {}
  void Wait() override {
    std::unique_lock<std::mutex> lock(task_->mutex);
    task_->finished.wait(lock, [&] { return task_->done; });
    if (task_->error) std::rethrow_exception(std::exchange(task_->error, nullptr));
  }

 private:
  std::shared_ptr<Task> task_;
};

CollectiveQueue::CollectiveQueue(bool threaded, int niceness) : niceness_(niceness) {
  if (threaded) thread_ = std::thread([this] { Loop(); });
}

CollectiveQueue::~CollectiveQueue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<CollectiveWork> CollectiveQueue::Submit(std::function<void()> call) {
  auto task = std::make_shared<Task>();
  task->call = std::move(call);
  if (!threaded()) {
    task->Execute();
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(task);
    wake_.notify_one();
  }
  return std::make_unique<TaskWork>(std::move(task));
}

void CollectiveQueue::Loop() {
  // Linux keeps a nice value per thread: this lowers only the queue's thread.
  if (niceness_ > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), niceness_);
  while (true) {
    std::shared_ptr<Task> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything submitted has run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task->Execute();
  }
}

}  // namespace zegclip::distributed
