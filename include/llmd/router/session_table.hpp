// Which replica each session (the value of routing.session.header) sticks to: a bounded map from
// the session's hash to a replica's key, least recently used sessions going first, sessions idle
// for longer than their timeout forgotten. Shared by every worker (sharded_lru) and kept across
// reloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "llmd/router/replica_health.hpp"
#include "llmd/router/sharded_lru.hpp"

namespace llmd::router {

class session_table {
 public:
  session_table(std::size_t max_entries, std::chrono::milliseconds idle) : sessions_(max_entries), idle_(idle) {}

  // The replica the session sticks to, unless it was idle too long.
  std::optional<std::uint64_t> replica_of(std::uint64_t session, time_point now) const;
  // The session sticks to `replica` from now on.
  void stick(std::uint64_t session, std::uint64_t replica, time_point now);

  std::size_t max_entries() const { return sessions_.max_entries(); }
  std::size_t size() const { return sessions_.size(); }

 private:
  struct stuck {
    std::uint64_t replica = 0;
    time_point last_used{};
  };
  sharded_lru<stuck> sessions_;
  std::chrono::milliseconds idle_;
};

}  // namespace llmd::router
