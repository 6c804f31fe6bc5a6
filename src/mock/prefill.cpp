#include "prefill.hpp"

#include <algorithm>

namespace llmd::mock {

namespace {

// FNV-1a over the block, seeded with the previous block's hash: a block's hash names the whole
// prefix up to its end.
std::uint64_t chain(std::uint64_t previous, std::string_view block) {
  std::uint64_t h = previous ^ 0xcbf29ce484222325ULL;
  for (unsigned char c : block) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace

prefill_model::clock::time_point prefill_model::reserve(std::string_view prompt, clock::time_point now) {
  std::lock_guard lock(mutex_);
  const std::size_t blocks = (prompt.size() + opts_.block_size - 1) / opts_.block_size;
  const std::size_t cached = lookup_and_insert(prompt);
  const auto start = std::max(now, free_at_);
  free_at_ = start + opts_.per_block * static_cast<long>(blocks - cached);
  starts_.push_back(start);
  return free_at_;
}

std::uint64_t prefill_model::waiting(clock::time_point now) {
  std::lock_guard lock(mutex_);
  while (!starts_.empty() && starts_.front() <= now) starts_.pop_front();
  return starts_.size();
}

prefill_totals prefill_model::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

void prefill_model::reset() {
  std::lock_guard lock(mutex_);
  lru_.clear();
  cached_.clear();
  totals_ = {0, 0};
}

std::size_t prefill_model::lookup_and_insert(std::string_view prompt) {
  hashes_.clear();
  std::uint64_t hash = 0;
  for (std::size_t at = 0; at < prompt.size(); at += opts_.block_size)
    hashes_.push_back(hash = chain(hash, prompt.substr(at, opts_.block_size)));
  std::size_t cached = 0;
  while (cached < hashes_.size() && cached_.contains(hashes_[cached])) ++cached;
  totals_.blocks += hashes_.size();
  totals_.hits += cached;
  // Last block first, so a prompt's first blocks are its most recent and leave the cache last,
  // as vLLM frees a request's blocks in reverse: evicting a prefix's head would orphan the rest.
  for (auto it = hashes_.rbegin(); it != hashes_.rend(); ++it) touch(*it);
  return cached;
}

void prefill_model::touch(std::uint64_t hash) {
  if (auto it = cached_.find(hash); it != cached_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(hash);
  cached_.emplace(hash, lru_.begin());
  if (lru_.size() > opts_.cache_blocks) {
    cached_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace llmd::mock
