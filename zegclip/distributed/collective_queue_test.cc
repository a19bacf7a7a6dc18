#include "zegclip/distributed/collective_queue.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace zegclip::distributed {
namespace {

TEST(CollectiveQueue, RunsSubmissionsInOrderOffTheCallingThread) {
  CollectiveQueue queue(/*threaded=*/true);
  ASSERT_TRUE(queue.threaded());
  std::vector<int> order;  // written only by the queue's thread
  std::atomic<bool> release{false};
  std::thread::id worker;
  // The first call blocks until released: the others must queue behind it, and Submit must not block.
  auto first = queue.Submit([&] {
    worker = std::this_thread::get_id();
    while (!release) std::this_thread::yield();
    order.push_back(0);
  });
  std::vector<std::unique_ptr<CollectiveWork>> rest;
  for (int i = 1; i <= 5; ++i) rest.push_back(queue.Submit([&order, i] { order.push_back(i); }));
  release = true;
  for (auto& work : rest) work->Wait();
  first->Wait();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_NE(worker, std::this_thread::get_id());
}

TEST(CollectiveQueue, WaitRethrowsWhatTheCallThrewAndTheQueueGoesOn) {
  CollectiveQueue queue(true);
  auto bad = queue.Submit([] { throw std::runtime_error("MPI said no"); });
  int after = 0;
  auto good = queue.Submit([&] { after = 7; });
  try {
    bad->Wait();
    FAIL() << "Wait must rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "MPI said no");
  }
  good->Wait();
  EXPECT_EQ(after, 7);
}

TEST(CollectiveQueue, InlineQueueRunsBeforeSubmitReturns) {
  CollectiveQueue queue(/*threaded=*/false);
  EXPECT_FALSE(queue.threaded());
  std::thread::id ran_on;
  auto work = queue.Submit([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  work->Wait();
  EXPECT_THROW(queue.Run([] { throw std::runtime_error("x"); }), std::runtime_error);
}

TEST(CollectiveQueue, ANiceQueueLowersOnlyItsOwnThread) {
  const int before = getpriority(PRIO_PROCESS, 0);
  CollectiveQueue queue(true, /*niceness=*/7);
  int inside = -100;
  queue.Run([&] { inside = getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))); });
  if (before <= 7) EXPECT_EQ(inside, 7);  // setpriority sets the value (raising it needs no privilege)
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid))), before);
}

TEST(CollectiveQueue, DestructionRunsEverythingSubmitted) {
  std::atomic<int> ran{0};
  {
    CollectiveQueue queue(true);
    for (int i = 0; i < 50; ++i) {
      queue.Submit([&] {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
        ++ran;
      });  // the work handles are dropped at once: the calls still run
    }
  }
  EXPECT_EQ(ran.load(), 50);
}

}  // namespace
}  // namespace zegclip::distributed
