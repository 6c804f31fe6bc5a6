// Which replica each session (the value of routing.session.header) sticks to: a bounded map from
// the session's hash to a replica's key, least recently used sessions going first, sessions idle
// for longer than their timeout forgotten. Shared by every worker (a lock per shard) and kept
// across reloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "llmd/router/replica_health.hpp"

namespace llmd::router {

class session_table {
 public:
  session_table(std::size_t max_entries, std::chrono::milliseconds idle);
  session_table(const session_table&) = delete;
  session_table& operator=(const session_table&) = delete;

  // The replica the session sticks to, unless it was idle too long.
  std::optional<std::uint64_t> replica_of(std::uint64_t session, time_point now) const;
  // The session sticks to `replica` from now on.
  void stick(std::uint64_t session, std::uint64_t replica, time_point now);

  std::size_t max_entries() const { return max_per_shard_ * shard_count; }
  std::size_t size() const;

 private:
  static constexpr std::size_t shard_count = 16;
  struct entry {
    std::uint64_t session;
    std::uint64_t replica;
    time_point last_used;
  };
  struct shard {
    mutable std::mutex mutex;
    std::list<entry> recent;  // most recently used first
    std::unordered_map<std::uint64_t, std::list<entry>::iterator> by_session;
  };
  shard& shard_of(std::uint64_t session) const { return shards_[session % shard_count]; }

  std::size_t max_per_shard_;
  std::chrono::milliseconds idle_;
  std::unique_ptr<shard[]> shards_;
};

}  // namespace llmd::router
