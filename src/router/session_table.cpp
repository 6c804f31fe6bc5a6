#include "llmd/router/session_table.hpp"

#include <algorithm>

namespace llmd::router {

session_table::session_table(std::size_t max_entries, std::chrono::milliseconds idle)
    : max_per_shard_(std::max<std::size_t>(1, max_entries / shard_count)), idle_(idle), shards_(new shard[shard_count]) {}

std::optional<std::uint64_t> session_table::replica_of(std::uint64_t session, time_point now) const {
  auto& s = shard_of(session);
  std::lock_guard lock(s.mutex);
  const auto found = s.by_session.find(session);
  if (found == s.by_session.end() || now - found->second->last_used > idle_) return std::nullopt;
  return found->second->replica;
}

void session_table::stick(std::uint64_t session, std::uint64_t replica, time_point now) {
  auto& s = shard_of(session);
  std::lock_guard lock(s.mutex);
  // Idle sessions go first, from the least recently used end; then, when still full, the oldest.
  while (!s.recent.empty() && now - s.recent.back().last_used > idle_) {
    s.by_session.erase(s.recent.back().session);
    s.recent.pop_back();
  }
  if (const auto found = s.by_session.find(session); found != s.by_session.end()) {
    s.recent.erase(found->second);
    s.by_session.erase(found);
  } else if (s.by_session.size() >= max_per_shard_) {
    s.by_session.erase(s.recent.back().session);
    s.recent.pop_back();
  }
  s.recent.push_front({session, replica, now});
  s.by_session.emplace(session, s.recent.begin());
}

std::size_t session_table::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].by_session.size();
  }
  return total;
}

}  // namespace llmd::router
