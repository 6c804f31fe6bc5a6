// The second stage of choosing a replica: each scorer gives every replica left by the filters a
// score in [0, 1] (higher is better) from one signal; the picker adds them up by their weights
// (routing.scorers). A replica without the scorer's signal gets a neutral score. Each scorer is
// one file in src/router/; make_scorer names them.
#pragma once

#include <memory>
#include <span>

#include "llmd/config/routing.hpp"
#include "llmd/router/candidate.hpp"

namespace llmd::router {

class backend_pool;

struct pick_context {
  const backend_pool& pool;
  time_point now;
  std::span<const std::uint64_t> prompt = {};  // the prompt's block hashes; empty when not read
};

class scorer {
 public:
  virtual ~scorer() = default;
  // `out` has one place per candidate, in their order.
  virtual void score(const pick_context& ctx, std::span<const candidate> candidates, std::span<double> out) const = 0;
};

std::unique_ptr<scorer> make_scorer(config::scorer_kind kind);

}  // namespace llmd::router
