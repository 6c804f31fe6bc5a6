#include "llmd/router/backend_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

using namespace std::chrono_literals;

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

TEST(backend_pool, replica_ids_are_the_entries_own_whatever_their_position) {
  auto with_id = [](config::model_entry e, std::string id) {
    e.id = std::move(id);
    return e;
  };
  backend_pool pool(make({with_id(entry("a", 1), "a@h:1"), with_id(entry("b", 1), "b@h:2"),
                          with_id(entry("a", 1), "a@h:3")},
                         "a"));
  EXPECT_EQ(pool.replica_at(0).id, "a@h:1");
  EXPECT_EQ(pool.replica_at(1).id, "b@h:2");
  EXPECT_EQ(pool.replica_at(2).id, "a@h:3");
  // The first replica of `a` dropped: the others keep their ids.
  backend_pool fewer(make({with_id(entry("b", 1), "b@h:2"), with_id(entry("a", 1), "a@h:3")}, "a"));
  EXPECT_EQ(fewer.replica_at(0).id, "b@h:2");
  EXPECT_EQ(fewer.replica_at(1).id, "a@h:3");
}

const time_point now = clock::now();

TEST(backend_pool, slots_are_bounded_and_come_back_when_leases_die) {
  backend_pool pool(make({entry("a", 2)}, "a"));
  {
    auto first = pool.try_acquire(0, now).taken;
    auto second = pool.try_acquire(0, now).taken;
    ASSERT_TRUE(first && second);
    EXPECT_FALSE(pool.try_acquire(0, now).taken);
    EXPECT_EQ(pool.replica_at(0).in_flight(), 2);
  }
  EXPECT_EQ(pool.replica_at(0).in_flight(), 0);
  EXPECT_TRUE(pool.try_acquire(0, now).taken);
}

TEST(backend_pool, least_outstanding_per_weight_wins) {
  backend_pool pool(make({entry("a", 10, 1), entry("a", 10, 3)}, "a"));
  std::vector<lease> held;
  for (int i = 0; i < 8; ++i) held.push_back(pool.try_acquire(0, now).taken);
  // Weight 3 takes three requests for each one of weight 1.
  EXPECT_EQ(pool.replica_at(0).in_flight(), 2);
  EXPECT_EQ(pool.replica_at(1).in_flight(), 6);
}

TEST(backend_pool, moving_a_lease_keeps_one_slot) {
  backend_pool pool(make({entry("a", 1)}, "a"));
  auto a = pool.try_acquire(0, now).taken;
  lease b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_EQ(pool.replica_at(0).in_flight(), 1);
  b.release();
  EXPECT_EQ(pool.replica_at(0).in_flight(), 0);
}

TEST(backend_pool, threads_racing_for_slots_never_exceed_the_bound) {
  backend_pool pool(make({entry("a", 3), entry("a", 2)}, "a"));
  std::atomic<int> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto l = pool.try_acquire(0, now).taken;
        if (!l) continue;
        const int now = pool.replica_at(0).in_flight() + pool.replica_at(1).in_flight();
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        EXPECT_LE(l.backend()->in_flight().load(), l.backend()->entry->max_concurrent);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(peak.load(), 5);
  EXPECT_EQ(pool.replica_at(0).in_flight() + pool.replica_at(1).in_flight(), 0);
}

// One failure ejects a replica of these pools, for 10 s.
std::shared_ptr<const config::config> make_ejecting(std::vector<config::model_entry> models) {
  auto cfg = std::make_shared<config::config>();
  cfg->models = std::move(models);
  cfg->default_model = "a";
  cfg->health.failures_to_eject = 1;
  cfg->health.cooldown = 10s;
  return cfg;
}

void fail(backend_pool& pool, int replica) {
  pool.replica_at(replica).health().report({.result = upstream::outcome::reset, .started = now}, now,
                                         pool.settings().health);
}

void answer(backend_pool& pool, int replica, std::chrono::microseconds ttfb) {
  pool.replica_at(replica).health().report({.result = upstream::outcome::ok, .ttfb = ttfb, .started = now}, now,
                                         pool.settings().health);
}

void cool(backend_pool& pool, int replica, config::duration wait) {
  pool.replica_at(replica).health().report(
      {.result = upstream::outcome::status_429, .retry_after = wait, .started = now}, now, pool.settings().health);
}

TEST(backend_pool, ejected_replicas_get_no_traffic_until_their_trial) {
  backend_pool pool(make_ejecting({entry("a", 8), entry("a", 8)}));
  auto& sick = pool.replica_at(0);
  fail(pool, 0);
  for (int i = 0; i < 4; ++i) {
    auto p = pool.try_acquire(0, now + 5s);
    ASSERT_TRUE(p.taken);
    EXPECT_EQ(p.taken.backend(), &pool.replica_at(1));
  }
  // Cooldown over: the next request is the trial, and only one request gets it.
  auto trial = pool.try_acquire(0, now + 11s).taken;
  ASSERT_TRUE(trial);
  EXPECT_EQ(trial.backend(), &sick);
  EXPECT_TRUE(trial.trial());
  EXPECT_EQ(pool.try_acquire(0, now + 11s).taken.backend(), &pool.replica_at(1));
}

TEST(backend_pool, a_trial_whose_lease_dies_unreported_is_given_back) {
  backend_pool pool(make_ejecting({entry("a", 8)}));
  fail(pool, 0);
  {
    auto trial = pool.try_acquire(0, now + 11s).taken;
    ASSERT_TRUE(trial.trial());
    EXPECT_EQ(pool.try_acquire(0, now + 11s, {nullptr, false}).reason, unavailable::unhealthy);
  }
  EXPECT_TRUE(pool.try_acquire(0, now + 11s).taken.trial());
}

TEST(backend_pool, a_fully_ejected_group_says_unhealthy_and_panic_mode_routes_anyway) {
  backend_pool pool(make_ejecting({entry("a", 1)}));
  fail(pool, 0);
  EXPECT_FALSE(pool.any_usable(now));
  EXPECT_FALSE(pool.any_admitted(pool.groups()[0].chain, now));
  EXPECT_EQ(pool.try_acquire(0, now).reason, unavailable::unhealthy);
  auto forced = pool.try_acquire(0, now, {nullptr, true});
  EXPECT_TRUE(forced.taken);
  EXPECT_EQ(pool.try_acquire(0, now, {nullptr, true}).reason, unavailable::full);
}

TEST(backend_pool, tried_replicas_come_last) {
  backend_pool pool(make({entry("a", 4), entry("a", 4)}, "a"));
  const std::vector<int> tried{0};
  EXPECT_EQ(pool.try_acquire(0, now, {&tried, false}).taken.backend(), &pool.replica_at(1));
  std::vector<int> both{0, 1};
  EXPECT_TRUE(pool.try_acquire(0, now, {&both, false}).taken);
}

TEST(backend_pool, replicas_cooling_down_are_the_last_resort) {
  backend_pool pool(make({entry("a", 4), entry("a", 4)}, "a"));
  cool(pool, 0, 2s);
  const std::vector<int> tried{1};
  // Even a replica already tried comes before one that asked to be left alone.
  EXPECT_EQ(pool.try_acquire(0, now, {&tried, false, true}).taken.backend(), &pool.replica_at(1));
  cool(pool, 1, 1s);
  const auto none = pool.try_acquire(0, now);
  EXPECT_EQ(none.reason, unavailable::cooling);
  EXPECT_EQ(none.next_up, &pool.replica_at(1));
  EXPECT_EQ(none.cooling_until, now + 1s);
  // Cooling is not ejection: no panic mode, and /ready holds.
  EXPECT_TRUE(pool.any_admitted(pool.groups()[0].chain, now));
  EXPECT_TRUE(pool.any_usable(now));
  EXPECT_EQ(pool.try_acquire(0, now, {nullptr, true}).reason, unavailable::cooling);
  // A request that waited for them may take one.
  const auto taken = pool.try_acquire(0, now, {nullptr, false, true});
  EXPECT_TRUE(taken.taken);
  EXPECT_TRUE(taken.cooling);
  EXPECT_FALSE(pool.try_acquire(0, now + 2s).cooling);
}

TEST(backend_pool, slow_replicas_get_fewer_new_requests) {
  backend_pool pool(make({entry("a", 100), entry("a", 100)}, "a"));
  answer(pool, 0, 400ms);
  answer(pool, 1, 100ms);
  std::vector<lease> held;
  for (int i = 0; i < 10; ++i) held.push_back(pool.try_acquire(0, now).taken);
  // Four times the load counts the same: 2 go to the slow replica for 8 to the fast one.
  EXPECT_EQ(pool.replica_at(0).in_flight(), 2);
  EXPECT_EQ(pool.replica_at(1).in_flight(), 8);
}

TEST(backend_pool, differences_of_a_few_milliseconds_are_not_slowness) {
  backend_pool pool(make({entry("a", 100), entry("a", 100)}, "a"));
  answer(pool, 0, 1500us);  // a fresh connection's first answer
  answer(pool, 1, 300us);
  std::vector<lease> held;
  for (int i = 0; i < 10; ++i) held.push_back(pool.try_acquire(0, now).taken);
  EXPECT_EQ(pool.replica_at(0).in_flight(), 5);
  EXPECT_EQ(pool.replica_at(1).in_flight(), 5);
}

// An entry of group `name` on server http://HOST:PORT/v1.
config::model_entry served_by(const std::string& name, int slots, const std::string& host, const std::string& port) {
  auto e = entry(name, slots);
  e.url = {.scheme = "http", .host = host, .port = port, .root = "/v1", .query = ""};
  e.id = name + "@" + host + ":" + port;
  return e;
}

TEST(backend_pool, a_reloaded_pool_takes_over_the_slots_and_health_of_the_replicas_that_stay) {
  auto before_cfg = make_ejecting({served_by("a", 2, "h", "1"), served_by("b", 2, "h", "2")});
  backend_pool before(before_cfg);
  auto first = before.try_acquire(0, now).taken;
  auto second = before.try_acquire(0, now).taken;
  fail(before, 1);

  // a stays with one more slot, b goes, c comes; a's host is written in capitals now.
  backend_pool after(make_ejecting({served_by("c", 1, "h", "3"), served_by("a", 3, "H", "1")}), &before);
  const auto& a = after.replica_at(1);
  EXPECT_EQ(a.state, before.replica_at(0).state);
  EXPECT_EQ(a.in_flight(), 2);
  EXPECT_NE(after.replica_at(0).state, before.replica_at(1).state);
  EXPECT_TRUE(after.replica_at(0).health().usable(now));
  // The slots held through the old pool count against the new max_concurrent.
  auto third = after.try_acquire(1, now).taken;
  ASSERT_TRUE(third);
  EXPECT_EQ(after.try_acquire(1, now).reason, unavailable::full);
  first.release();
  second.release();
  EXPECT_EQ(a.in_flight(), 1);
  // Health reported through either pool is the replica's.
  fail(after, 1);
  EXPECT_FALSE(before.replica_at(0).health().usable(now));
  EXPECT_EQ(&after.queue(), &before.queue());
  EXPECT_EQ(&after.budget(), &before.budget());
}

TEST(backend_pool, a_slot_freed_through_the_old_pool_wakes_a_request_waiting_on_the_new) {
  backend_pool before(make({served_by("a", 1, "h", "1")}, "a"));
  auto held = before.try_acquire(0, now).taken;
  backend_pool after(make({served_by("a", 1, "h", "1")}, "a"), &before);
  boost::asio::io_context io;
  wait_end woke = wait_end::full;
  boost::asio::co_spawn(
      io,
      [](backend_pool& pool, wait_end& out) -> awaitable<void> {
        out = co_await pool.queue().wait(pool.groups()[0].chain_replicas, clock::now() + 30s, 10);
      }(after, woke),
      boost::asio::detached);
  io.run_for(20ms);
  ASSERT_EQ(after.queue().waiting(), 1u);
  held.release();
  io.run_for(20ms);
  EXPECT_EQ(woke, wait_end::woken);
  EXPECT_TRUE(after.try_acquire(0, now).taken);
}

}  // namespace
}  // namespace llmd::router
