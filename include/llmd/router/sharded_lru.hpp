// A map from 64-bit keys (hashes) to values that forgets its least recently used entries past a
// bound: the shape of the prefix index and of the session table. Shared by every worker: sharded by
// key, a lock per shard, each shard an LRU of its share of the bound; `with_shard` runs a function
// on a key's shard under its lock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace llmd::router {

template <typename Value>
class sharded_lru {
 public:
  class shard {
   public:
    // The value of `key`, left where it is in the order; nullptr when absent.
    const Value* peek(std::uint64_t key) const {
      const auto found = by_key_.find(key);
      return found == by_key_.end() ? nullptr : &found->second->value;
    }
    // The value of `key`, made the most recent, inserted as `Value{}` when absent (the least
    // recent entry leaving a full shard).
    Value& use(std::uint64_t key) {
      if (const auto found = by_key_.find(key); found != by_key_.end()) {
        recent_.splice(recent_.begin(), recent_, found->second);
        return found->second->value;
      }
      if (by_key_.size() >= capacity_) drop_oldest();
      recent_.push_front({key, Value{}});
      by_key_.emplace(key, recent_.begin());
      return recent_.front().value;
    }
    // The least recently used value; nullptr when empty.
    const Value* oldest() const { return recent_.empty() ? nullptr : &recent_.back().value; }
    void drop_oldest() {
      by_key_.erase(recent_.back().key);
      recent_.pop_back();
    }
    std::size_t size() const { return by_key_.size(); }

   private:
    friend class sharded_lru;
    struct node {
      std::uint64_t key;
      Value value;
    };
    mutable std::mutex mutex_;
    std::size_t capacity_ = 1;
    std::list<node> recent_;  // most recently used first
    std::unordered_map<std::uint64_t, typename std::list<node>::iterator> by_key_;
  };

  explicit sharded_lru(std::size_t max_entries) : shards_(new shard[shard_count]) {
    for (std::size_t i = 0; i < shard_count; ++i) shards_[i].capacity_ = std::max<std::size_t>(1, max_entries / shard_count);
  }
  sharded_lru(const sharded_lru&) = delete;
  sharded_lru& operator=(const sharded_lru&) = delete;

  template <typename F>
  decltype(auto) with_shard(std::uint64_t key, F&& f) {
    shard& s = shards_[key % shard_count];
    std::lock_guard lock(s.mutex_);
    return f(s);
  }
  template <typename F>
  decltype(auto) with_shard(std::uint64_t key, F&& f) const {
    const shard& s = shards_[key % shard_count];
    std::lock_guard lock(s.mutex_);
    return f(s);
  }

  std::size_t max_entries() const { return shards_[0].capacity_ * shard_count; }
  std::size_t size() const {
    std::size_t total = 0;
    for (std::size_t i = 0; i < shard_count; ++i) {
      std::lock_guard lock(shards_[i].mutex_);
      total += shards_[i].size();
    }
    return total;
  }

 private:
  static constexpr std::size_t shard_count = 16;
  std::unique_ptr<shard[]> shards_;
};

}  // namespace llmd::router
