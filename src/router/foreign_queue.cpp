#include "llmd/router/backend_pool.hpp"
#include "scorers.hpp"

#include <algorithm>

namespace llmd::router {

double foreign_queue(const candidate& c, time_point now) {
  const auto s = c.backend->fresh_signals(now);
  if (!s || !s->waiting) return 0;
  return std::max(0.0, *s->waiting + s->running.value_or(0) - s->ours.value_or(c.seen));
}

}  // namespace llmd::router
