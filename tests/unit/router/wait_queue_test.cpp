#include "llmd/router/wait_queue.hpp"

#include "llmd/router/backend_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace llmd::router {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

replica_state a;
replica_state b;
const std::vector<const replica_state*> chain_ab{&a, &b};
const std::vector<const replica_state*> chain_b{&b};

awaitable<void> wait_for(wait_queue& q, const std::vector<const replica_state*>& chain, time_point deadline,
                         int& result, std::size_t max_waiting = 10) {
  result = co_await q.wait(chain, deadline, max_waiting) == wait_end::woken ? 1 : 0;
}

TEST(wait_queue, a_freed_slot_wakes_the_first_waiter_whose_chain_holds_it) {
  net::io_context io;
  wait_queue q;
  int first = -1, second = -1;
  const auto later = clock::now() + 30s;
  net::co_spawn(io, wait_for(q, chain_b, later, first), net::detached);
  net::co_spawn(io, wait_for(q, chain_ab, later, second), net::detached);
  io.run_for(20ms);
  EXPECT_EQ(q.waiting(), 2u);
  q.slot_freed(&a);  // only the second waits on a
  io.run_for(20ms);
  EXPECT_EQ(first, -1);
  EXPECT_EQ(second, 1);
  q.slot_freed(&b);
  io.run_for(20ms);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(wait_queue, waits_end_at_their_deadline_and_the_line_is_bounded) {
  net::io_context io;
  wait_queue q;
  int first = -1, second = -1;
  net::co_spawn(io, wait_for(q, chain_ab, clock::now() + 50ms, first, 1), net::detached);
  net::co_spawn(io, wait_for(q, chain_ab, clock::now() + 30s, second, 1), net::detached);
  io.run_for(10ms);
  EXPECT_EQ(second, 0);  // the line was full: refused at once
  io.run_for(200ms);
  EXPECT_EQ(first, 0);  // deadline
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(wait_queue, a_slot_freed_on_another_thread_wakes_the_waiter_on_its_own) {
  net::io_context io;
  wait_queue q;
  int result = -1;
  net::co_spawn(io, wait_for(q, chain_ab, clock::now() + 30s, result), net::detached);
  io.run_for(10ms);
  std::thread other([&] { q.slot_freed(&b); });
  other.join();
  io.run_for(50ms);
  EXPECT_EQ(result, 1);
}

}  // namespace
}  // namespace llmd::router
