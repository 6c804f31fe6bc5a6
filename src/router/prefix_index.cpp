#include "llmd/router/prefix_index.hpp"

#include <algorithm>

namespace llmd::router {

void prefix_index::match(std::span<const std::uint64_t> blocks, std::span<const std::uint64_t> replicas,
                         std::span<std::size_t> matched) const {
  std::fill(matched.begin(), matched.end(), 0);
  // A replica's match ends at its first block it was not sent; the walk ends when all have.
  std::size_t still = replicas.size();
  for (std::size_t b = 0; b < blocks.size() && still > 0; ++b) {
    const bool known = blocks_.with_shard(blocks[b], [&](const auto& shard) {
      const senders* e = shard.peek(blocks[b]);
      if (!e) return false;
      const auto* end = e->replicas.begin() + e->count;
      for (std::size_t r = 0; r < replicas.size(); ++r) {
        if (matched[r] != b) continue;  // fell behind at an earlier block
        if (std::find(e->replicas.begin(), end, replicas[r]) != end) {
          matched[r] = b + 1;
        } else {
          --still;
        }
      }
      return true;
    });
    if (!known) return;
  }
}

std::size_t prefix_index::record(std::span<const std::uint64_t> blocks, std::uint64_t replica) {
  std::size_t had = 0;
  bool leading = true;
  for (const std::uint64_t block : blocks) {
    blocks_.with_shard(block, [&](auto& shard) {
      senders& e = shard.use(block);
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
    });
  }
  return had;
}

}  // namespace llmd::router
