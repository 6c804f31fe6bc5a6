// Which replicas recently served which prompt blocks: a bounded map from a block's chained hash
// (api::prompt_blocks) to the last few replicas that were sent it, least recently used entries
// going first. Shared by every worker (sharded_lru) and kept across reloads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "llmd/router/sharded_lru.hpp"

namespace llmd::router {

class prefix_index {
 public:
  // Replicas remembered per block: the most recent ones.
  static constexpr std::size_t replicas_per_block = 4;

  explicit prefix_index(std::size_t max_entries) : blocks_(max_entries) {}

  // For each replica key, how many leading blocks of `blocks` it was sent, into `matched`.
  void match(std::span<const std::uint64_t> blocks, std::span<const std::uint64_t> replicas,
             std::span<std::size_t> matched) const;
  // `replica` was sent these blocks; returns how many leading ones it had been sent before.
  std::size_t record(std::span<const std::uint64_t> blocks, std::uint64_t replica);

  std::size_t max_entries() const { return blocks_.max_entries(); }
  std::size_t size() const { return blocks_.size(); }

 private:
  struct senders {
    std::array<std::uint64_t, replicas_per_block> replicas{};  // most recent first
    std::size_t count = 0;
  };
  sharded_lru<senders> blocks_;
};

}  // namespace llmd::router
