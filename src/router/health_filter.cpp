#include "llmd/router/filter.hpp"

namespace llmd::router {

namespace {

class health final : public filter {
 public:
  verdict check(const candidate& c, const pick_options& options) const override {
    if (c.admits == admission::closed) return verdict::unhealthy;
    if (c.cooling && !options.take_cooling) return verdict::cooling;
    return verdict::keep;
  }
};

}  // namespace

const filter& health_filter() {
  static const health instance;
  return instance;
}

}  // namespace llmd::router
