// 0 for a slow replica, 1 for the others: one whose average time to first byte exceeds its
// slow_factor times the mean of the other replicas of its group, by more than a few milliseconds.
#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

namespace llmd::router {

namespace {

// Below this difference in time to first byte, a replica is not slow whatever the ratio: a new
// connection's handshake alone can triple a sub-millisecond time.
constexpr double slow_margin_ms = 20.0;

bool is_slow(const backend_pool& pool, const replica& r) {
  const double own = r.health().ttfb_ewma_ms();
  if (own == 0) return false;
  double others = 0;
  int counted = 0;
  for (int index : pool.groups()[r.group].replicas) {
    if (index == r.index) continue;
    if (const double ewma = pool.replica_at(index).health().ttfb_ewma_ms(); ewma > 0) {
      others += ewma;
      ++counted;
    }
  }
  if (counted == 0) return false;
  const double typical = others / counted;
  return own > r.entry->slow_factor * typical && own > typical + slow_margin_ms;
}

class slow final : public scorer {
 public:
  void score(const pick_context& ctx, std::span<const candidate> candidates, std::span<double> out) const override {
    for (std::size_t i = 0; i < candidates.size(); ++i) out[i] = is_slow(ctx.pool, *candidates[i].backend) ? 0 : 1;
  }
};

}  // namespace

std::unique_ptr<scorer> make_slow_scorer() { return std::make_unique<slow>(); }

}  // namespace llmd::router
