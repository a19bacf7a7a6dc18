#include "zegclip/distributed/collective_watchdog.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace zegclip::distributed {
namespace {

using std::chrono::milliseconds;

TEST(CollectiveWatchdog, FiresOnceForACollectiveStuckPastTheTimeout) {
  std::atomic<int> fired{0};
  std::string why;
  std::mutex mu;
  CollectiveWatchdog watchdog(0.2, [&](const std::string& message) {
    std::lock_guard<std::mutex> lock(mu);
    why = message;
    ++fired;
  });
  {
    CollectiveWatchdog::Scope scope(watchdog, "MPI_Allreduce");
    std::this_thread::sleep_for(milliseconds(800));
  }
  EXPECT_EQ(fired.load(), 1);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_NE(why.find("MPI_Allreduce has been in flight for"), std::string::npos) << why;
  EXPECT_NE(why.find("timeout 0.2 s"), std::string::npos) << why;
}

TEST(CollectiveWatchdog, QuietForCollectivesThatFinishInTime) {
  std::atomic<int> fired{0};
  CollectiveWatchdog watchdog(1.0, [&](const std::string&) { ++fired; });
  for (int i = 0; i < 5; ++i) {
    CollectiveWatchdog::Scope scope(watchdog, "MPI_Bcast");
    std::this_thread::sleep_for(milliseconds(20));
  }
  // Idle time between collectives does not count.
  std::this_thread::sleep_for(milliseconds(1300));
  EXPECT_EQ(fired.load(), 0);
}

TEST(CollectiveWatchdog, DisabledByANonPositiveTimeout) {
  std::atomic<int> fired{0};
  CollectiveWatchdog watchdog(0, [&](const std::string&) { ++fired; });
  {
    CollectiveWatchdog::Scope scope(watchdog, "MPI_Barrier");
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(fired.load(), 0);
}

}  // namespace
}  // namespace zegclip::distributed
