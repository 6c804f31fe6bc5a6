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

struct replica_state;

// How a wait ended: woken (a slot may be free: try again), at its deadline or cancelled, or at
// once because max_waiting requests were already waiting.
enum class wait_end { woken, timed_out, full };

class wait_queue {
 public:
  struct waiter {
    waiter(io_executor ex, const std::vector<const replica_state*>& replicas) : timer(ex), replicas(replicas) {}
    steady_timer timer;
    const std::vector<const replica_state*>& replicas;  // of the waiter's pool, which it keeps alive
    bool woken = false;
  };

  // Waits until a slot of one of `replicas` may be free or `deadline` passes; refused at once
  // (full) when max_waiting requests already wait. `front` puts a request that was woken but lost
  // its slot to a newcomer back at the head of the line. A cancellation on `slot` ends the wait
  // (timed_out).
  awaitable<wait_end> wait(const std::vector<const replica_state*>& replicas, time_point deadline,
                           std::size_t max_waiting, bool front = false, boost::asio::cancellation_slot slot = {});

  // A slot of `replica` was released.
  void slot_freed(const replica_state* replica);

  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::size_t> waiting_{0};
  std::mutex mutex_;
  std::deque<std::shared_ptr<waiter>> line_;
};

}  // namespace llmd::router
