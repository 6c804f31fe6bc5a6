// Keep-alive connections to upstream servers, one pool per worker thread (so no locks): a
// request takes an idle connection to its endpoint or opens a new one, and gives it back only
// when the response was read whole and the server allows reuse. A sweep every few seconds
// closes idle connections the server has closed (or that crashed with it) and those idle too long.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "llmd/config/config.hpp"
#include "llmd/http/field_list.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"

namespace llmd::upstream {

struct connection {
  // Room for a whole short answer (header and body) in one read: Beast reads no more than the
  // buffer's free capacity, and its default of 512 bytes splits a typical answer in two.
  static constexpr std::size_t read_size = 4096;

  explicit connection(boost::asio::io_context& io) : stream(io.get_executor()) { buffer.reserve(read_size); }
  llmd::net::timed_socket stream;
  boost::beast::flat_buffer buffer;  // kept with the connection so requests reuse it
  http::field_list fields;           // of the response being read, likewise
  bool reused = false;
};

// Connections move by pointer: a pending deadline refers to the socket where it is.
using connection_ptr = std::unique_ptr<connection>;

struct acquired {
  boost::system::error_code error;  // set: conn is null
  connection_ptr conn;
};

class connection_pool {
 public:
  explicit connection_pool(boost::asio::io_context& io, std::size_t max_idle_per_endpoint = 256)
      : io_(io), max_idle_(max_idle_per_endpoint), sweeper_(io) {}

  // An idle connection (reused = true) unless fresh is set, else a new one within `timeout`.
  awaitable<acquired> acquire(const config::upstream_url& url, config::duration timeout, bool fresh = false);

  // Keeps the connection for reuse; call only after a complete response on a keep-alive connection.
  void release(const config::upstream_url& url, connection_ptr conn);

 private:
  struct idle_connection {
    connection_ptr conn;
    std::chrono::steady_clock::time_point since;
  };

  // "host:port", written into key_ so that a lookup allocates nothing.
  const std::string& key_of(const config::upstream_url& url);
  void sweep_later();
  void sweep();

  boost::asio::io_context& io_;
  std::size_t max_idle_;
  std::unordered_map<std::string, std::vector<idle_connection>> idle_;
  std::string key_;
  steady_timer sweeper_;
  bool sweeping_ = false;
};

}  // namespace llmd::upstream
