// Which replicas recently served which prompt blocks: a bounded map from a block's chained hash
// (api::prompt_blocks) to the last few replicas that were sent it, least recently used entries
// going first. Shared by every worker (sharded by hash, a lock per shard) and kept across reloads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

namespace llmd::router {

class prefix_index {
 public:
  // Replicas remembered per block: the most recent ones.
  static constexpr std::size_t replicas_per_block = 4;

  explicit prefix_index(std::size_t max_entries);
  prefix_index(const prefix_index&) = delete;
  prefix_index& operator=(const prefix_index&) = delete;

  // For each replica key, how many leading blocks of `blocks` it was sent, into `matched`.
  void match(std::span<const std::uint64_t> blocks, std::span<const std::uint64_t> replicas,
             std::span<std::size_t> matched) const;
  // `replica` was sent these blocks; returns how many leading ones it had been sent before.
  std::size_t record(std::span<const std::uint64_t> blocks, std::uint64_t replica);

  std::size_t max_entries() const { return max_per_shard_ * shard_count; }
  std::size_t size() const;

 private:
  static constexpr std::size_t shard_count = 16;
  struct entry {
    std::uint64_t block;
    std::array<std::uint64_t, replicas_per_block> replicas{};
    std::size_t count = 0;
  };
  struct shard {
    mutable std::mutex mutex;
    std::list<entry> recent;  // most recently used first
    std::unordered_map<std::uint64_t, std::list<entry>::iterator> by_block;
  };
  shard& shard_of(std::uint64_t block) const { return shards_[block % shard_count]; }

  std::size_t max_per_shard_;
  std::unique_ptr<shard[]> shards_;
};

}  // namespace llmd::router
