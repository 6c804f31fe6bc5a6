// Which shard of every metric the calling thread writes to. Each worker thread calls
// set_thread_shard once with its own index (0..shards-1) before serving, so its writes land in
// cells no other thread writes and its series look-ups need no lock. A thread that never calls it
// (or whose index is not below a registry's shard count) is still correct: it writes shard 0 with
// the same atomic adds, and finds series through the family's locked map.
#pragma once

#include <cstddef>
#include <limits>

namespace llmd::metrics {

inline constexpr std::size_t no_shard = std::numeric_limits<std::size_t>::max();

// At most one thread may hold a given index at a time: the lock-free series cache of that shard
// is touched by its thread only. `no_shard` clears it.
void set_thread_shard(std::size_t index) noexcept;

namespace detail {
// constinit lets other translation units read it without the TLS wrapper call.
extern constinit thread_local std::size_t current_shard;
}  // namespace detail

// The calling thread's index, or `no_shard`.
inline std::size_t thread_shard() noexcept { return detail::current_shard; }

// The cell to write among `shards`: the thread's own, or shard 0 for threads without one.
inline std::size_t write_shard(std::size_t shards) noexcept {
  const std::size_t s = detail::current_shard;
  return s < shards ? s : 0;
}

}  // namespace llmd::metrics
