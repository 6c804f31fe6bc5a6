// A model of one GPU's prefill, for benchmarks of prefix-aware routing: one prompt at a time,
// first come first served, each taking a fixed time per prompt block that is not in its prefix
// cache. The cache holds chained block hashes, as vLLM's automatic prefix caching does, in a
// bounded LRU: a prompt reuses the longest run of leading blocks the cache still holds.
#pragma once

#include "parse.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace llmd::mock {

struct prefill_options {
  duration per_block{0};  // 0: no prefill model, the mock answers at once
  std::size_t cache_blocks = 160;
  std::size_t block_size = 256;
  bool enabled() const { return per_block.count() > 0; }
};

struct prefill_totals {
  std::uint64_t blocks;  // prompt blocks looked up
  std::uint64_t hits;    // of them, found in the cache
};

class prefill_model {
 public:
  using clock = std::chrono::steady_clock;

  explicit prefill_model(prefill_options o) : opts_(o) {}
  bool enabled() const { return opts_.enabled(); }

  // Queues this prompt's prefill behind those queued before it and returns when it ends. Its
  // blocks are cached from now on: by the time a later prompt's prefill starts, this one's is done.
  clock::time_point reserve(std::string_view prompt, clock::time_point now);
  // Prompts queued whose prefill has not started.
  std::uint64_t waiting(clock::time_point now);
  prefill_totals totals() const;
  // Empties the cache and the totals (the queue stays: the GPU is busy whatever the stats say).
  void reset();

 private:
  // Returns how many of the prompt's blocks were cached, and caches them all.
  std::size_t lookup_and_insert(std::string_view prompt);
  void touch(std::uint64_t hash);

  const prefill_options opts_;
  mutable std::mutex mutex_;
  clock::time_point free_at_{};
  std::deque<clock::time_point> starts_;  // of the prefills queued, in order
  std::vector<std::uint64_t> hashes_;    // of the prompt being looked up
  std::list<std::uint64_t> lru_;          // most recent first
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> cached_;
  prefill_totals totals_{0, 0};
};

}  // namespace llmd::mock
