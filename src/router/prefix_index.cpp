#include "llmd/router/prefix_index.hpp"

#include <algorithm>

namespace llmd::router {

prefix_index::prefix_index(std::size_t max_entries)
    : max_per_shard_(std::max<std::size_t>(1, max_entries / shard_count)), shards_(new shard[shard_count]) {}

void prefix_index::match(std::span<const std::uint64_t> blocks, std::span<const std::uint64_t> replicas,
                         std::span<std::size_t> matched) const {
  std::fill(matched.begin(), matched.end(), 0);
  // A replica's match ends at its first block it was not sent; the walk ends when all have.
  std::size_t still = replicas.size();
  for (std::size_t b = 0; b < blocks.size() && still > 0; ++b) {
    auto& s = shard_of(blocks[b]);
    std::lock_guard lock(s.mutex);
    const auto found = s.by_block.find(blocks[b]);
    if (found == s.by_block.end()) return;
    const entry& e = *found->second;
    for (std::size_t r = 0; r < replicas.size(); ++r) {
      if (matched[r] != b) continue;  // fell behind at an earlier block
      const auto* end = e.replicas.begin() + e.count;
      if (std::find(e.replicas.begin(), end, replicas[r]) != end) {
        matched[r] = b + 1;
      } else {
        --still;
      }
    }
  }
}

std::size_t prefix_index::record(std::span<const std::uint64_t> blocks, std::uint64_t replica) {
  std::size_t had = 0;
  bool leading = true;
  for (const std::uint64_t block : blocks) {
    auto& s = shard_of(block);
    std::lock_guard lock(s.mutex);
    auto found = s.by_block.find(block);
    if (found == s.by_block.end()) {
      if (s.by_block.size() >= max_per_shard_) {
        s.by_block.erase(s.recent.back().block);
        s.recent.pop_back();
      }
      s.recent.push_front(entry{.block = block});
      found = s.by_block.emplace(block, s.recent.begin()).first;
    } else {
      s.recent.splice(s.recent.begin(), s.recent, found->second);
    }
    entry& e = *found->second;
    // The replica goes first; the least recent one falls off a full list.
    auto* end = e.replicas.begin() + e.count;
    auto* at = std::find(e.replicas.begin(), end, replica);
    leading = leading && at != end;
    had += leading;
    if (at == end) {
      if (e.count < replicas_per_block) ++e.count;
      at = e.replicas.begin() + e.count - 1;
    }
    std::move_backward(e.replicas.begin(), at, at + 1);
    e.replicas[0] = replica;
  }
  return had;
}

std::size_t prefix_index::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].by_block.size();
  }
  return total;
}

}  // namespace llmd::router
