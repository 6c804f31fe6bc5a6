// The share of the prompt's leading blocks a replica was sent before (by the prefix index), so
// that a conversation goes back where its prefix is cached. The load guard: a replica holding
// more than routing.prefix.guard_factor times the requests of the least busy candidate plus
// guard_margin, or whose engine reports a queue beyond our requests (foreign_queue) over the
// same margin against the shortest, scores 0, so a popular prefix spreads instead
// of piling onto one replica. Without a prompt of at least one block, every replica scores 0.
#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <limits>

#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

namespace llmd::router {

namespace {

class prefix final : public scorer {
 public:
  void score(const pick_context& ctx, std::span<const candidate> candidates, std::span<double> out) const override {
    std::fill(out.begin(), out.end(), 0.0);
    if (ctx.prompt.empty()) return;
    const std::size_t n = candidates.size();
    boost::container::small_vector<std::uint64_t, 16> keys(n);
    boost::container::small_vector<std::size_t, 16> matched(n);
    boost::container::small_vector<double, 16> queued(n);
    int least = candidates[0].seen;
    double shortest = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
      keys[i] = candidates[i].backend->key;
      least = std::min(least, candidates[i].seen);
      shortest = std::min(shortest, queued[i] = foreign_queue(candidates[i], ctx.now));
    }
    ctx.pool.prefixes().match(ctx.prompt, keys, matched);
    const auto& guard = ctx.pool.settings().routing.prefix;
    const auto over = [&](double own, double least_of_all) {
      return own > guard.guard_factor * least_of_all + guard.guard_margin;
    };
    for (std::size_t i = 0; i < n; ++i) {
      if (over(candidates[i].seen, least) || over(queued[i], shortest)) continue;
      out[i] = static_cast<double>(matched[i]) / static_cast<double>(ctx.prompt.size());
    }
  }
};

}  // namespace

std::unique_ptr<scorer> make_prefix_scorer() { return std::make_unique<prefix>(); }

}  // namespace llmd::router
