#include "llmd/router/backend_pool.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace llmd::router {
namespace {

config::model_entry entry(const std::string& name, int slots, int weight = 1, std::optional<std::string> model = {}) {
  config::model_entry e;
  e.name = name;
  e.max_concurrent = slots;
  e.weight = weight;
  e.model = std::move(model);
  return e;
}

std::shared_ptr<const config::config> make(std::vector<config::model_entry> models,
                                           std::optional<std::string> default_model) {
  auto cfg = std::make_shared<config::config>();
  cfg->models = std::move(models);
  cfg->default_model = std::move(default_model);
  return cfg;
}

TEST(backend_pool, resolves_group_names_entry_models_then_the_default) {
  backend_pool pool(make({entry("fast", 1), entry("big", 1, 1, "org/llama-70b")}, "fast"));
  EXPECT_EQ(pool.resolve("big"), 1);
  EXPECT_EQ(pool.resolve("org/llama-70b"), 1);
  EXPECT_EQ(pool.resolve("anything"), 0);
  backend_pool strict(make({entry("fast", 1)}, std::nullopt));
  EXPECT_EQ(strict.resolve("anything"), std::nullopt);
}

TEST(backend_pool, replica_ids_number_only_real_replicas) {
  backend_pool pool(make({entry("a", 1), entry("b", 1), entry("a", 1)}, "a"));
  EXPECT_EQ(pool.replica_at(0).id, "a#0");
  EXPECT_EQ(pool.replica_at(1).id, "b");
  EXPECT_EQ(pool.replica_at(2).id, "a#1");
}

TEST(backend_pool, slots_are_bounded_and_come_back_when_leases_die) {
  backend_pool pool(make({entry("a", 2)}, "a"));
  {
    auto first = pool.try_acquire(0);
    auto second = pool.try_acquire(0);
    ASSERT_TRUE(first && second);
    EXPECT_FALSE(pool.try_acquire(0));
    EXPECT_EQ(pool.replica_at(0).in_flight, 2);
  }
  EXPECT_EQ(pool.replica_at(0).in_flight, 0);
  EXPECT_TRUE(pool.try_acquire(0));
}

TEST(backend_pool, least_outstanding_per_weight_wins) {
  backend_pool pool(make({entry("a", 10, 1), entry("a", 10, 3)}, "a"));
  std::vector<lease> held;
  for (int i = 0; i < 8; ++i) held.push_back(pool.try_acquire(0));
  // Weight 3 takes three requests for each one of weight 1.
  EXPECT_EQ(pool.replica_at(0).in_flight, 2);
  EXPECT_EQ(pool.replica_at(1).in_flight, 6);
}

TEST(backend_pool, moving_a_lease_keeps_one_slot) {
  backend_pool pool(make({entry("a", 1)}, "a"));
  auto a = pool.try_acquire(0);
  lease b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(pool.replica_at(0).in_flight, 1);
  b.slot.release();
  EXPECT_EQ(pool.replica_at(0).in_flight, 0);
}

TEST(backend_pool, threads_racing_for_slots_never_exceed_the_bound) {
  backend_pool pool(make({entry("a", 3), entry("a", 2)}, "a"));
  std::atomic<int> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto l = pool.try_acquire(0);
        if (!l) continue;
        const int now = pool.replica_at(0).in_flight + pool.replica_at(1).in_flight;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        EXPECT_LE(l.backend->in_flight.load(), l.backend->entry->max_concurrent);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 5);
  EXPECT_EQ(pool.replica_at(0).in_flight + pool.replica_at(1).in_flight, 0);
}

}  // namespace
}  // namespace llmd::router
