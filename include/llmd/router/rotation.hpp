// The order in which the replicas of a group take turns when the scores leave them tied: a smooth
// weighted round robin (nginx's) over their weights, so that replicas that tie on every score
// share the requests by weight, 3:1 for weights 3 and 1, interleaved rather than in runs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace llmd::router {

class rotation {
 public:
  rotation() = default;
  // `weights` by member (the position of a replica among its group's); each above 0.
  explicit rotation(std::span<const int> weights);
  // How many turns after turn `ticket` member `m` has its next one: lower goes first.
  std::uint32_t distance(std::size_t member, std::uint64_t ticket) const;
  std::size_t length() const { return length_; }

 private:
  std::size_t length_ = 0;
  std::vector<std::vector<std::uint32_t>> turns_;  // by member: its turns in one cycle, ascending
};

}  // namespace llmd::router
