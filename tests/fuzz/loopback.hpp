// TCP connections over loopback inside one io_context, for feeding bytes to code that reads or
// writes a socket, and a bounded run of that io_context.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "llmd/net/executor.hpp"

namespace llmd::fuzz {

struct socket_pair {
  tcp_socket client;
  tcp_socket server;
};

class loopback {
 public:
  explicit loopback(boost::asio::io_context& io);
  // Both ends of a new connection, made by running the io_context rather than by blocking calls,
  // which a signal (libFuzzer's timeout alarm) would cut short with EINTR.
  socket_pair connect();

 private:
  boost::asio::io_context& io_;
  tcp_acceptor acceptor_;
};

// Reads `socket` until the peer closes it (or resets it), then sets `done`.
awaitable<void> read_all(tcp_socket& socket, std::string& out, bool& done);

// Runs `io` until `done()`; false when `limit` passes first. `idle` is called whenever nothing is
// ready to run.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit,
               const std::function<void()>& idle = {});

}  // namespace llmd::fuzz
