#include "llmd/router/picker.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "llmd/router/backend_pool.hpp"

namespace llmd::router {
namespace {

std::shared_ptr<const config::config> group_of(std::vector<int> weights, config::routing_settings routing) {
  auto cfg = std::make_shared<config::config>();
  for (const int w : weights) {
    config::model_entry e;
    e.name = "a";
    e.max_concurrent = 1000;
    e.weight = w;
    cfg->models.push_back(e);
  }
  cfg->routing = std::move(routing);
  return cfg;
}

config::routing_settings mix(std::vector<config::scorer_weight> scorers) {
  return {.policy = "scorers", .scorers = std::move(scorers), .prefix = {}};
}

struct fixture {
  fixture(std::vector<int> weights, config::routing_settings routing)
      : pool(group_of(weights, routing)), choose(routing) {
    for (int i = 0; i < pool.replica_count(); ++i) {
      all.push_back({.backend = &pool.replica_at(i), .member = static_cast<std::size_t>(i)});
    }
  }
  std::size_t best(std::uint64_t ticket = 0) { return choose.best({pool, clock::now()}, all, pool.groups()[0].turns, ticket); }

  backend_pool pool;
  picker choose;
  std::vector<candidate> all;
};

TEST(picker, the_highest_weighted_total_wins) {
  fixture f({1, 1}, mix({{config::scorer_kind::load, 1}}));
  f.all[0].seen = 3;
  EXPECT_EQ(f.best(), 1u);
  f.all[1].seen = 5;
  EXPECT_EQ(f.best(), 0u);
}

TEST(picker, ties_go_round_the_rotation_by_weight) {
  fixture f({3, 1}, mix({{config::scorer_kind::load, 1}}));
  int first = 0;
  for (std::uint64_t t = 0; t < 400; ++t) first += f.best(t) == 0;
  EXPECT_EQ(first, 300);
}

TEST(picker, a_trial_goes_first_tried_replicas_after_fresh_ones_cooling_ones_last) {
  fixture f({1, 1, 1}, mix({{config::scorer_kind::load, 1}}));
  f.all[0].seen = 50;
  f.all[0].admits = admission::trial;
  EXPECT_EQ(f.best(), 0u);  // however busy
  f.all[0].admits = admission::open;
  f.all[0].tried = true;
  f.all[1].tried = true;
  f.all[2].seen = 100;
  EXPECT_EQ(f.best(), 2u);  // the only one not tried yet, however busy
  f.all[2].cooling = true;
  EXPECT_EQ(f.best(), 1u);  // even a tried replica comes before a cooling one
}

TEST(picker, the_slow_penalty_weighs_like_four_times_the_load) {
  // Replica 0 slow: it scores 0 on `slow`, so with 1 in flight it wins only once the other
  // carries about four times as many: (1 + 2) / (1 + 8) + 0.65 < 1 <= (1 + 2) / (1 + 7) + 0.65.
  fixture f({1, 1}, config::routing_settings{});
  f.pool.replica_at(0).health().report(
      {.result = upstream::outcome::ok, .ttfb = std::chrono::milliseconds(400), .started = clock::now()},
      clock::now(), f.pool.settings().health);
  f.pool.replica_at(1).health().report(
      {.result = upstream::outcome::ok, .ttfb = std::chrono::milliseconds(100), .started = clock::now()},
      clock::now(), f.pool.settings().health);
  f.all[0].seen = 1;
  f.all[1].seen = 6;
  EXPECT_EQ(f.best(), 1u);
  f.all[1].seen = 7;
  EXPECT_EQ(f.best(), 0u);
}

TEST(picker, without_scorers_it_is_plain_weighted_round_robin) {
  fixture f({1, 1, 1}, mix({}));
  f.all[0].seen = 100;
  EXPECT_EQ(f.best(0), 0u);
  EXPECT_EQ(f.best(1), 1u);
  EXPECT_EQ(f.best(2), 2u);
}

}  // namespace
}  // namespace llmd::router
