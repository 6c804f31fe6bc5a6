#include "llmd/router/backend_pool.hpp"
#include "llmd/router/filter.hpp"

namespace llmd::router {

namespace {

class capacity final : public filter {
 public:
  verdict check(const candidate& c, const pick_options&) const override {
    return c.seen >= c.backend->entry->max_concurrent ? verdict::full : verdict::keep;
  }
};

}  // namespace

const filter& capacity_filter() {
  static const capacity instance;
  return instance;
}

}  // namespace llmd::router
