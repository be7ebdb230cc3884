//===- ThreadPoolTest.cpp - the runtime's thread pool ----------------------===//
//
// incept_thread_pool_run must run every item of a job exactly once, on any
// number of threads, job after job; and a thread that is held up must not
// hold up the items of its share that others could run.
//
//===----------------------------------------------------------------------===//

#include "incept/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace {

struct Counts {
  std::vector<std::atomic<int>> runs;
  explicit Counts(int64_t count) : runs(count) {}
};

void countItems(void *data, int64_t begin, int64_t end) {
  auto *counts = static_cast<Counts *>(data);
  for (int64_t item = begin; item < end; ++item)
    counts->runs[item].fetch_add(1);
}

using Pool = std::unique_ptr<incept_thread_pool, void (*)(incept_thread_pool *)>;

Pool makePool(int threads) {
  incept_thread_pool *pool = nullptr;
  EXPECT_EQ(incept_thread_pool_create(threads, &pool), INCEPT_OK);
  return Pool(pool, incept_thread_pool_destroy);
}

TEST(ThreadPool, RunsEveryItemOnce) {
  for (int threads : {1, 2, 3, 4, 7}) {
    Pool pool = makePool(threads);
    ASSERT_TRUE(pool);
    // Fewer items than threads, uneven shares, and many small jobs in a row
    // (each job's shares are set anew while the workers may still spin).
    for (int64_t count : {1, 2, 3, 5, 7, 64, 65, 1000}) {
      for (int job = 0; job < 20; ++job) {
        Counts counts(count);
        incept_thread_pool_run(pool.get(), countItems, &counts, count);
        for (int64_t item = 0; item < count; ++item)
          ASSERT_EQ(counts.runs[item].load(), 1)
              << "item " << item << " of " << count << " on " << threads
              << " threads, job " << job;
      }
    }
  }
}

TEST(ThreadPool, NoItemsIsNoWork) {
  Pool pool = makePool(2);
  Counts counts(1);
  incept_thread_pool_run(pool.get(), countItems, &counts, 0);
  EXPECT_EQ(counts.runs[0].load(), 0);
}

/// The caller's share is the first half of the items, item 0 its first: run
/// by the caller, it waits until another thread has run an item of that
/// share, which only a thread that helps with others' shares does.
struct HeldUpCaller {
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> helped{false};
  std::atomic<bool> timedOut{false};
  int64_t callerShareEnd;
};

void holdUpCaller(void *data, int64_t begin, int64_t end) {
  auto *state = static_cast<HeldUpCaller *>(data);
  bool onCaller = std::this_thread::get_id() == state->caller;
  for (int64_t item = begin; item < end; ++item) {
    if (item < state->callerShareEnd && !onCaller)
      state->helped = true;
    if (item != 0 || !onCaller)
      continue;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!state->helped.load())
      if (std::chrono::steady_clock::now() > deadline) {
        state->timedOut = true;
        break;
      }
  }
}

TEST(ThreadPool, OtherThreadsTakeOverAHeldUpThreadsItems) {
  Pool pool = makePool(2);
  HeldUpCaller state;
  state.callerShareEnd = 8;
  incept_thread_pool_run(pool.get(), holdUpCaller, &state, 16);
  EXPECT_TRUE(state.helped.load());
  EXPECT_FALSE(state.timedOut.load());
}

} // namespace
