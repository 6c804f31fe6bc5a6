// Room left in the engine's KV cache (vLLM's kv_cache_usage_perc, or gpu_cache_usage_perc before
// 0.10; SGLang's token_usage): 1 up to 80% usage, then falling to 0 at 100%. A nearly full cache
// means evictions and recomputed prefixes, or requests preempted. Below 80% replicas tie and the
// other scorers (the prefix above all) decide: counting every difference drew conversations away
// from the replica holding their prefix, which runs a few more requests than the others
// (bench/prefix.sh). A replica without a fresh reading counts as roomy, as no trouble reported.
#include <algorithm>

#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

namespace llmd::router {

namespace {

constexpr double roomy = 0.8;

double room_of(double usage) { return std::clamp((1 - usage) / (1 - roomy), 0.0, 1.0); }

class kv_cache final : public scorer {
 public:
  void score(const pick_context& ctx, std::span<const candidate> candidates, std::span<double> out) const override {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto s = candidates[i].backend->fresh_signals(ctx.now);
      out[i] = s && s->kv_usage ? room_of(*s->kv_usage) : 1;
    }
  }
};

}  // namespace

std::unique_ptr<scorer> make_kv_cache_scorer() { return std::make_unique<kv_cache>(); }

}  // namespace llmd::router
