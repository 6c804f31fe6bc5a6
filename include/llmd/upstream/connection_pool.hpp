// Keep-alive connections to upstream servers, one pool per worker thread (so no locks): a
// request takes an idle connection of its target's pool or opens a new one (DNS resolved off
// the event loop, every address tried in turn, through the target's proxy, then TLS), and gives
// it back only when the response was read whole and the server allows reuse. A sweep every few
// seconds closes idle connections the server has closed (or that crashed with it) and those idle
// too long, and those of pools the config now serving no longer uses. Pools are numbered by the
// pool_directory: requests of an old config and of a new one that reach the same server share
// its pool.
#pragma once

#include <boost/asio/io_context.hpp>
#include <atomic>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "llmd/config/config.hpp"
#include "llmd/http/field_list.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"
#include "llmd/upstream/outcome.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::upstream {

struct connection {
  // Room for a whole short answer (header and body) in one read: Beast reads no more than the
  // buffer's free capacity, and its default of 512 bytes splits a typical answer in two.
  static constexpr std::size_t read_size = 4096;
  // The parser consumes body bytes as they come, and a header is refused past 64 KiB: more bytes
  // waiting to be parsed are framing that never ends (a chunk-size line, a trailer), refused
  // with error::buffer_overflow rather than held until a timeout.
  static constexpr std::size_t max_unparsed = 128 * 1024;

  connection(boost::asio::io_context& io, connection_counts* of) : stream(io.get_executor()), counts(of) {
    buffer.reserve(read_size);
    buffer.max_size(max_unparsed);
    counts->open.fetch_add(1, std::memory_order_relaxed);
  }
  ~connection() { counts->open.fetch_sub(1, std::memory_order_relaxed); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  llmd::net::timed_socket stream;
  boost::beast::flat_buffer buffer;  // kept with the connection so requests reuse it
  http::field_list fields;           // of the response being read, likewise
  bool reused = false;
  connection_counts* counts;  // the pool_directory's, which outlives every connection
};

// Connections move by pointer: a pending deadline refers to the socket where it is.
using connection_ptr = std::unique_ptr<connection>;

struct acquired {
  connection_ptr conn;            // null when opening failed
  outcome failure = outcome::ok;  // connect_failed or tls_failed
  std::string why;                // what failed, for the log
};

class connection_pool {
 public:
  // The pools of worker number `worker` (its index into each pool's connection_counts).
  connection_pool(boost::asio::io_context& io, std::size_t worker, std::size_t max_idle_per_pool = 256);
  ~connection_pool();

  // An idle connection (reused = true) unless fresh is set, else a new one within `timeout`
  // (connecting, the proxy's tunnel and the TLS handshake together).
  awaitable<acquired> acquire(const target& t, config::duration timeout, bool fresh = false);

  // Keeps the connection for reuse; call only after a complete response on a keep-alive connection.
  void release(const target& t, connection_ptr conn);

  // The worker's, where its connections live.
  boost::asio::io_context::executor_type executor() const { return io_.get_executor(); }

 private:
  struct idle_connection {
    connection_ptr conn;
    std::chrono::steady_clock::time_point since;
  };
  struct pool;

  // The target's pool on this worker, made on first use.
  pool& pool_of(const target& t);
  awaitable<acquired> open(const target& t, config::duration timeout);
  void sweep_later();
  void sweep();

  boost::asio::io_context& io_;
  std::size_t worker_;
  std::size_t max_idle_;
  std::vector<std::unique_ptr<pool>> pools_;  // by pool number; a TLS connection points at its pool's session
  steady_timer sweeper_;
  bool sweeping_ = false;
};

}  // namespace llmd::upstream
