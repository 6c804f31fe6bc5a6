// A monotonic integer counter split into per-shard cells: each worker thread adds to its own
// cache line with one atomic add (no lock, no allocation, no shared line bounced between
// cores), and a scrape sums the cells. The add releases and the sum acquires (free on x86), so
// a scrape that sees a count sees every write its thread made before it. Counters live in a
// registry's counter_family; their addresses never change, so callers may keep a `counter&`.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "llmd/metrics/shard.hpp"

namespace llmd::metrics {

namespace detail {
// One cache line, so that two shards never share one.
struct alignas(64) cell {
  std::atomic<std::uint64_t> value{0};
};
}  // namespace detail

class counter {
 public:
  explicit counter(std::size_t shards);
  counter(const counter&) = delete;
  counter& operator=(const counter&) = delete;

  void add(std::uint64_t n = 1) noexcept {
    cells_[write_shard(shards_)].value.fetch_add(n, std::memory_order_release);
  }
  // The sum over shards. Each cell only grows, so successive reads by one thread never go down.
  std::uint64_t value() const noexcept;

 private:
  std::size_t shards_;
  std::unique_ptr<detail::cell[]> cells_;
};

}  // namespace llmd::metrics
