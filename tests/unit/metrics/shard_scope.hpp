// Gives the calling thread a shard for one scope, so that a test leaves the thread (gtest's main
// thread is shared by every test) as it found it.
#pragma once

#include "llmd/metrics/shard.hpp"

namespace llmd::metrics {

class shard_scope {
 public:
  explicit shard_scope(std::size_t index) : previous_(thread_shard()) { set_thread_shard(index); }
  ~shard_scope() { set_thread_shard(previous_); }
  shard_scope(const shard_scope&) = delete;
  shard_scope& operator=(const shard_scope&) = delete;

 private:
  std::size_t previous_;
};

}  // namespace llmd::metrics
