// The engine's queue (vLLM's num_requests_waiting, SGLang's num_queue_reqs) beyond our own
// requests (foreign_queue), relative to the shortest among the candidates:
// (4 + shortest) / (4 + its own). A replica without a fresh reading counts as no queue beyond
// ours: placed by the other scorers, it neither loses to a replica reporting no queue nor beats
// one reporting a short one.
#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <limits>

#include "scorers.hpp"

namespace llmd::router {

namespace {

// Added to both queues, so that a request or two of difference (what a scrape up to three
// intervals old is off by) moves a score little and a long queue still scores near 0.
constexpr double damping = 4;

class queue final : public scorer {
 public:
  void score(const pick_context& ctx, std::span<const candidate> candidates, std::span<double> out) const override {
    boost::container::small_vector<double, 16> waiting(candidates.size());
    double shortest = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < candidates.size(); ++i)
      shortest = std::min(shortest, waiting[i] = foreign_queue(candidates[i], ctx.now));
    for (std::size_t i = 0; i < candidates.size(); ++i) out[i] = (damping + shortest) / (damping + waiting[i]);
  }
};

}  // namespace

std::unique_ptr<scorer> make_queue_scorer() { return std::make_unique<queue>(); }

}  // namespace llmd::router
