#include "llmd/router/session_table.hpp"

namespace llmd::router {

std::optional<std::uint64_t> session_table::replica_of(std::uint64_t session, time_point now) const {
  return sessions_.with_shard(session, [&](const auto& shard) -> std::optional<std::uint64_t> {
    const stuck* s = shard.peek(session);
    if (!s || now - s->last_used > idle_) return std::nullopt;
    return s->replica;
  });
}

void session_table::stick(std::uint64_t session, std::uint64_t replica, time_point now) {
  sessions_.with_shard(session, [&](auto& shard) {
    // Idle sessions go first, from the least recently used end; then, when still full, the oldest.
    for (const stuck* oldest = shard.oldest(); oldest && now - oldest->last_used > idle_; oldest = shard.oldest())
      shard.drop_oldest();
    shard.use(session) = {replica, now};
  });
}

}  // namespace llmd::router
