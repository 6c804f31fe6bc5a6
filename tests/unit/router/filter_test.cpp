#include "llmd/router/filter.hpp"

#include <gtest/gtest.h>

#include "llmd/router/backend_pool.hpp"

namespace llmd::router {
namespace {

TEST(health_filter, drops_ejected_replicas_and_cooling_ones_the_request_may_not_take) {
  const auto& f = health_filter();
  const candidate open{.admits = admission::open};
  EXPECT_EQ(f.check(open, {}), verdict::keep);
  EXPECT_EQ(f.check({.admits = admission::trial}, {}), verdict::keep);
  EXPECT_EQ(f.check({.admits = admission::closed}, {}), verdict::unhealthy);
  const candidate cooling{.admits = admission::open, .cooling = true};
  EXPECT_EQ(f.check(cooling, {}), verdict::cooling);
  EXPECT_EQ(f.check(cooling, {.take_cooling = true}), verdict::keep);
}

TEST(capacity_filter, drops_replicas_at_max_concurrent) {
  config::model_entry entry;
  entry.max_concurrent = 2;
  replica r;
  r.entry = &entry;
  const auto& f = capacity_filter();
  EXPECT_EQ(f.check({.backend = &r, .seen = 1}, {}), verdict::keep);
  EXPECT_EQ(f.check({.backend = &r, .seen = 2}, {}), verdict::full);
  EXPECT_EQ(f.check({.backend = &r, .seen = 3}, {}), verdict::full);
}

TEST(filters, judge_health_before_capacity) {
  const auto all = filters();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], &health_filter());
  EXPECT_EQ(all[1], &capacity_filter());
}

}  // namespace
}  // namespace llmd::router
