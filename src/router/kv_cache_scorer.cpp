// Room left in the engine's KV cache (vLLM's kv_cache_usage_perc, or gpu_cache_usage_perc before
// 0.10; SGLang's token_usage): 1 − usage. A nearly full cache means evictions and recomputed
// prefixes, or requests preempted. A replica whose signal is missing or stale scores a neutral 0.5.
#include <algorithm>

#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

namespace llmd::router {

namespace {

constexpr double neutral = 0.5;

class kv_cache final : public scorer {
 public:
  void score(const pick_context& ctx, std::span<const candidate> candidates, std::span<double> out) const override {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto s = candidates[i].backend->fresh_signals(ctx.now);
      out[i] = s && s->kv_usage ? 1 - std::clamp(*s->kv_usage, 0.0, 1.0) : neutral;
    }
  }
};

}  // namespace

std::unique_ptr<scorer> make_kv_cache_scorer() { return std::make_unique<kv_cache>(); }

}  // namespace llmd::router
