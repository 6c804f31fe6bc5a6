// The last stage of choosing a replica: the best of the candidates the filters kept. First by
// tier (a half-open trial, then replicas this request has not tried, then tried ones, then ones
// cooling down), then by the weighted total of the scorers' scores, then by the group's rotation.
// Ranking is all it does: claiming the winner's slot is the pool's.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "llmd/router/rotation.hpp"
#include "llmd/router/scorer.hpp"

namespace llmd::router {

class picker {
 public:
  explicit picker(const config::routing_settings& settings);

  // The position in `candidates` (not empty) of the one to take; `ticket` is this pick's turn.
  std::size_t best(const pick_context& ctx, std::span<const candidate> candidates, const rotation& turns,
                   std::uint64_t ticket) const;

 private:
  struct weighted {
    std::unique_ptr<scorer> scores;
    double weight;
  };
  std::vector<weighted> scorers_;
};

}  // namespace llmd::router
