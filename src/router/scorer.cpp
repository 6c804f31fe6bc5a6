#include "llmd/router/scorer.hpp"

#include "scorers.hpp"

namespace llmd::router {

std::unique_ptr<scorer> make_scorer(config::scorer_kind kind) {
  switch (kind) {
    case config::scorer_kind::load: return make_load_scorer();
    case config::scorer_kind::slow: return make_slow_scorer();
    case config::scorer_kind::random: return make_random_scorer();
    case config::scorer_kind::prefix: return make_prefix_scorer();
    case config::scorer_kind::queue: return make_queue_scorer();
    case config::scorer_kind::kv_cache: return make_kv_cache_scorer();
  }
  return nullptr;
}

}  // namespace llmd::router
