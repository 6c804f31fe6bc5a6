// Requests whose whole chain is full wait here for a slot, first come first served, bounded in
// number and in time. A slot freed on any worker wakes the first waiter whose chain holds it, on
// that waiter's own worker.
#pragma once

#include <atomic>
#include <boost/asio/cancellation_signal.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "llmd/net/executor.hpp"
#include "llmd/router/replica_health.hpp"

namespace llmd::router {

// How a wait ended: woken (a slot may be free: try again), at its deadline or cancelled, or at
// once because max_waiting requests were already waiting.
enum class wait_end { woken, timed_out, full };

class wait_queue {
 public:
  struct waiter {
    waiter(io_executor ex, const std::vector<int>& groups) : timer(ex), groups(groups) {}
    steady_timer timer;
    const std::vector<int>& groups;  // a chain of the pool: lives as long as the pool
    bool woken = false;
  };

  explicit wait_queue(std::size_t max_waiting) : max_waiting_(max_waiting) {}

  // Waits until a slot of `groups` may be free or `deadline` passes. `front` puts a request that
  // was woken but lost its slot to a newcomer back at the head of the line. A cancellation on
  // `slot` ends the wait (timed_out).
  awaitable<wait_end> wait(const std::vector<int>& groups, time_point deadline, bool front = false,
                       boost::asio::cancellation_slot slot = {});

  // A slot of `group` was released.
  void slot_freed(int group);

  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  std::size_t max_waiting_;
  std::atomic<std::size_t> waiting_{0};
  std::mutex mutex_;
  std::deque<std::shared_ptr<waiter>> line_;
};

}  // namespace llmd::router
