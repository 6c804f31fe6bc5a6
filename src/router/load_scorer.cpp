// Fewest requests in flight per unit of weight. With x the load (in flight / weight) and m the
// lowest load any replica would have after taking the request ((in flight + 1) / weight), a
// replica below m scores 1: taking the request keeps it at or below everyone's next step, so
// those tie and the rotation shares them by weight (weights 3 and 1 give 3:1 one request at a
// time as at any concurrency). Any other scores (1 + m) / (1 + its own load after taking it),
// below 1. Relative to m, so that its weight against another scorer means the same at 2 requests
// in flight as at 200.
#include <algorithm>
#include <limits>

#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

namespace llmd::router {

namespace {

double weight_of(const candidate& c) { return c.backend->entry->weight; }
double load_of(const candidate& c) { return c.seen / weight_of(c); }
double load_after(const candidate& c) { return (c.seen + 1) / weight_of(c); }

class load final : public scorer {
 public:
  void score(const pick_context&, std::span<const candidate> candidates, std::span<double> out) const override {
    double next_step = std::numeric_limits<double>::infinity();
    for (const auto& c : candidates) next_step = std::min(next_step, load_after(c));
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto& c = candidates[i];
      out[i] = load_of(c) < next_step ? 1.0 : (1 + next_step) / (1 + load_after(c));
    }
  }
};

}  // namespace

std::unique_ptr<scorer> make_load_scorer() { return std::make_unique<load>(); }

}  // namespace llmd::router
