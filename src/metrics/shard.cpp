#include "llmd/metrics/shard.hpp"

namespace llmd::metrics {

namespace detail {
constinit thread_local std::size_t current_shard = no_shard;
}  // namespace detail

void set_thread_shard(std::size_t index) noexcept { detail::current_shard = index; }

}  // namespace llmd::metrics
