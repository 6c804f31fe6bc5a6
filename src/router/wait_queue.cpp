#include "llmd/router/wait_queue.hpp"

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include "llmd/net/executor.hpp"

namespace llmd::router {

namespace net = boost::asio;

awaitable<wait_end> wait_queue::wait(const std::vector<const replica_state*>& replicas, time_point deadline,
                                     std::size_t max_waiting, bool front, net::cancellation_slot slot) {
  const auto executor = co_await net::this_coro::executor;
  auto self = std::make_shared<waiter>(executor, replicas);
  {
    std::lock_guard lock(mutex_);
    if (line_.size() >= max_waiting && !front) co_return wait_end::full;
    if (front) {
      line_.push_front(self);
    } else {
      line_.push_back(self);
    }
    waiting_.store(line_.size(), std::memory_order_relaxed);
  }
  self->timer.expires_at(deadline);
  co_await self->timer.async_wait(net::bind_cancellation_slot(slot, use_tuple));
  // A completed wait leaves its cancellation handler in the slot, pointing at this timer.
  if (slot.is_connected()) slot.clear();
  std::lock_guard lock(mutex_);
  if (self->woken) co_return wait_end::woken;
  // Timed out, or the request was cancelled: leave the line.
  line_.erase(std::find(line_.begin(), line_.end(), self));
  waiting_.store(line_.size(), std::memory_order_relaxed);
  co_return wait_end::timed_out;
}

void wait_queue::slot_freed(const replica_state* replica) {
  if (waiting_.load(std::memory_order_relaxed) == 0) return;
  std::shared_ptr<waiter> next;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(line_.begin(), line_.end(), [&](const auto& w) {
      return std::find(w->replicas.begin(), w->replicas.end(), replica) != w->replicas.end();
    });
    if (it == line_.end()) return;
    next = std::move(*it);
    line_.erase(it);
    waiting_.store(line_.size(), std::memory_order_relaxed);
    next->woken = true;
  }
  // The timer belongs to the waiter's worker: cancel it there.
  net::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
}

}  // namespace llmd::router
