// A weighted draw: each candidate scores u^(1 / weight) for a uniform u in (0, 1), so that the
// highest score falls to a candidate with a chance proportional to its weight (Efraimidis and
// Spirakis' weighted sampling).
#include <cmath>
#include <random>

#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

namespace llmd::router {

namespace {

double uniform() {
  thread_local std::minstd_rand engine{std::random_device{}()};
  thread_local std::uniform_real_distribution<double> unit(0.0, 1.0);
  return unit(engine);
}

class random final : public scorer {
 public:
  void score(const pick_context&, std::span<const candidate> candidates, std::span<double> out) const override {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      out[i] = std::pow(uniform(), 1.0 / candidates[i].backend->entry->weight);
    }
  }
};

}  // namespace

std::unique_ptr<scorer> make_random_scorer() { return std::make_unique<random>(); }

}  // namespace llmd::router
