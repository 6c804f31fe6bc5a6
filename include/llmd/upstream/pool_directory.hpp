// The numbering of the process's keep-alive pools. Entries that connect the same way (scheme,
// host, port, TLS settings and proxy) share one pool on each worker, and keep its number in every
// config the process loads, so a reload keeps the connections to the servers that stay. The
// directory also holds each pool's connection counts, one per worker, for /metrics, and whether
// the config now serving uses the pool: the idle connections of one it no longer uses are closed.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "llmd/config/config.hpp"

namespace llmd::upstream {

// How many connections of one worker's pool are open and how many of them idle: written by that
// worker, read by any thread.
struct connection_counts {
  std::atomic<int> open{0};
  std::atomic<int> idle{0};
};

struct pool_slot {
  std::size_t index = 0;                     // the pool's number on every worker
  connection_counts* counts = nullptr;        // one per worker, by worker index
  const std::atomic<bool>* in_use = nullptr;  // by the config now serving
};

class pool_directory {
 public:
  explicit pool_directory(std::size_t workers) : workers_(workers) {}
  pool_directory(const pool_directory&) = delete;
  pool_directory& operator=(const pool_directory&) = delete;

  // The pool `entry` connects through, numbered on first sight. Only the thread that builds
  // configs calls it; the slots it hands out stay valid for the directory's life.
  pool_slot of(const config::model_entry& entry);
  // The config now serving uses these pools (by number) and no other.
  void serving(const std::vector<std::size_t>& used);

 private:
  // What makes two entries' connections interchangeable.
  struct way {
    std::string scheme;
    std::string host;
    std::string port;
    std::optional<config::tls_settings> tls;
    std::optional<config::proxy_settings> proxy;
    bool operator==(const way&) const = default;
  };
  struct pool {
    pool(way k, std::size_t workers) : key(std::move(k)), counts(std::make_unique<connection_counts[]>(workers)) {}
    way key;
    std::unique_ptr<connection_counts[]> counts;
    std::atomic<bool> in_use{true};
  };

  std::size_t workers_;
  std::deque<pool> pools_;
};

}  // namespace llmd::upstream
