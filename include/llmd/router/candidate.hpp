// One replica of the group a request is placed in, as one pick sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "llmd/router/replica_health.hpp"

namespace llmd::router {

struct replica;

struct candidate {
  replica* backend = nullptr;
  std::size_t member = 0;                // its place among its group's replicas
  int seen = 0;                          // requests in flight on it when looked at
  admission admits = admission::open;    // panic mode looks past ejection: open
  bool cooling = false;                  // cooling down for Retry-After
  time_point cooling_until{};
  bool tried = false;                    // this request tried it already
};

// What the request itself says about where it should go.
struct affinity {
  std::span<const std::uint64_t> prompt;  // the prompt's block hashes (api::prompt_blocks), if read
  std::uint64_t session = 0;              // the session header's hash; 0: none
};

// What a pick may do besides taking a free, healthy replica.
struct pick_options {
  const std::vector<int>* avoid = nullptr;  // replicas already tried: taken only when nothing else is
  bool ignore_health = false;               // panic mode: every replica of the chain is ejected
  bool take_cooling = false;                // replicas cooling down may be taken, after everything else
  affinity hints{};
};

}  // namespace llmd::router
