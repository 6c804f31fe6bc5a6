#include "llmd/net/timed_socket.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <array>
#include <chrono>
#include <optional>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// A connected pair on loopback: `ours` is timed, `peer` plays the other end.
struct connected {
  explicit connected(asio::io_context& io) : peer(io), ours(io.get_executor()) {
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    ours.socket().connect(acceptor.local_endpoint());
    acceptor.accept(peer);
  }
  tcp::socket peer;
  llmd::net::timed_socket ours;
};

struct read_result {
  boost::system::error_code ec;
  std::size_t n = 0;
  clock_type::time_point at;
};

class timed_socket_test : public testing::Test {
 protected:
  // Reads from ours and runs the loop until the read completes (or 10 s pass).
  std::optional<read_result> read() {
    std::optional<read_result> got;
    c.ours.async_read_some(asio::buffer(buf), [&got](const boost::system::error_code& ec, std::size_t n) {
      got = read_result{ec, n, clock_type::now()};
    });
    const auto start = clock_type::now();
    while (!got && clock_type::now() - start < 10s) io.run_one_for(10s);
    return got;
  }

  // The peer sends a byte after `delay`.
  void send_after(clock_type::duration delay) {
    later.expires_after(delay);
    later.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) asio::write(c.peer, asio::buffer("x", 1));
    });
  }

  asio::io_context io;
  connected c{io};
  asio::steady_timer later{io};
  std::array<char, 16> buf;
};

TEST_F(timed_socket_test, a_read_pending_past_the_deadline_fails_and_the_socket_says_it_timed_out) {
  const auto start = clock_type::now();
  c.ours.expires_after(50ms);
  const auto got = read();
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->ec);
  EXPECT_TRUE(c.ours.timed_out());
  EXPECT_GE(got->at - start, 50ms);
  EXPECT_FALSE(c.ours.socket().is_open());
}

TEST_F(timed_socket_test, a_cleared_deadline_never_fires) {
  c.ours.expires_after(20ms);
  c.ours.expires_never();
  send_after(150ms);  // well past the cleared deadline
  const auto got = read();
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->ec) << got->ec.message();
  EXPECT_EQ(got->n, 1u);
  EXPECT_FALSE(c.ours.timed_out());
}

TEST_F(timed_socket_test, an_earlier_deadline_replaces_a_later_one) {
  c.ours.expires_after(1h);
  c.ours.expires_after(30ms);
  const auto got = read();
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->ec);
  EXPECT_TRUE(c.ours.timed_out());
}

TEST_F(timed_socket_test, a_later_deadline_holds_after_the_earlier_wait_ends) {
  const auto start = clock_type::now();
  c.ours.expires_after(20ms);
  c.ours.expires_after(10s);  // the wait armed for 20 ms finds this one and waits again
  send_after(150ms);
  const auto got = read();
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->ec) << got->ec.message();
  EXPECT_GE(got->at - start, 150ms);
  EXPECT_FALSE(c.ours.timed_out());
}

TEST(timed_socket, a_socket_destroyed_with_a_deadline_pending_leaves_nothing_behind) {
  asio::io_context io;
  {
    connected c(io);
    c.ours.expires_after(1h);
  }
  // The cancelled wait completes and finds the socket gone; nothing else is left to run.
  const auto start = clock_type::now();
  io.run_for(10s);
  EXPECT_LT(clock_type::now() - start, 5s);
  EXPECT_TRUE(io.stopped());
}

}  // namespace
