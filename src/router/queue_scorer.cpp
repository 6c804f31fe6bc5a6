// The engine's own queue (vLLM's num_requests_waiting, SGLang's num_queue_reqs), relative to the
// shortest among the candidates that report one: (1 + shortest) / (1 + its own). A replica whose
// signal is missing or stale scores a neutral 0.5.
#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <limits>

#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

namespace llmd::router {

namespace {

constexpr double neutral = 0.5;

class queue final : public scorer {
 public:
  void score(const pick_context& ctx, std::span<const candidate> candidates, std::span<double> out) const override {
    boost::container::small_vector<std::optional<double>, 16> waiting(candidates.size());
    double shortest = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (const auto s = candidates[i].backend->fresh_signals(ctx.now)) waiting[i] = s->waiting;
      if (waiting[i]) shortest = std::min(shortest, *waiting[i]);
    }
    for (std::size_t i = 0; i < candidates.size(); ++i) out[i] = waiting[i] ? (1 + shortest) / (1 + *waiting[i]) : neutral;
  }
};

}  // namespace

std::unique_ptr<scorer> make_queue_scorer() { return std::make_unique<queue>(); }

}  // namespace llmd::router
