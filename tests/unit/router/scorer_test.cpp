#include "llmd/router/scorer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "llmd/router/backend_pool.hpp"

using namespace std::chrono_literals;

namespace llmd::router {
namespace {

// One group "a" of replicas with these weights.
std::shared_ptr<const config::config> group_of(std::vector<int> weights) {
  auto cfg = std::make_shared<config::config>();
  for (const int w : weights) {
    config::model_entry e;
    e.name = "a";
    e.id = "a@h:" + std::to_string(cfg->models.size());
    e.max_concurrent = 1000;
    e.weight = w;
    cfg->models.push_back(e);
  }
  return cfg;
}

std::vector<candidate> all_of(backend_pool& pool, std::vector<int> seen) {
  std::vector<candidate> out;
  for (int i = 0; i < pool.replica_count(); ++i) {
    out.push_back({.backend = &pool.replica_at(i), .member = static_cast<std::size_t>(i), .seen = seen[i]});
  }
  return out;
}

std::vector<double> scores(config::scorer_kind kind, backend_pool& pool, const std::vector<candidate>& c) {
  std::vector<double> out(c.size(), -1);
  make_scorer(kind)->score({pool, clock::now()}, c, out);
  return out;
}

TEST(load_scorer, replicas_below_the_lowest_next_step_tie_at_1_the_others_score_by_their_next_step) {
  backend_pool pool(group_of({1, 1, 2}));
  // Loads 0, 3 and 1; after one more request 1, 4 and 1.5: the lowest next step is 1.
  const auto s = scores(config::scorer_kind::load, pool, all_of(pool, {0, 3, 2}));
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(s[2], 2.0 / 2.5);  // at the lowest next step already: not below it
  // Loads 10, 30 and 10; next steps 11, 31 and 10.5.
  const auto busier = scores(config::scorer_kind::load, pool, all_of(pool, {10, 30, 20}));
  EXPECT_DOUBLE_EQ(busier[0], 1.0);
  EXPECT_DOUBLE_EQ(busier[1], 11.5 / 32.0);
  EXPECT_DOUBLE_EQ(busier[2], 1.0);
}

TEST(load_scorer, idle_replicas_tie_whatever_their_weights) {
  backend_pool pool(group_of({3, 1}));
  EXPECT_EQ(scores(config::scorer_kind::load, pool, all_of(pool, {0, 0})), (std::vector<double>{1, 1}));
  // Three on the weight 3 against one: a tie again; four against none: the light one.
  EXPECT_EQ(scores(config::scorer_kind::load, pool, all_of(pool, {2, 0})), (std::vector<double>{1, 1}));
  const auto s = scores(config::scorer_kind::load, pool, all_of(pool, {3, 0}));
  EXPECT_LT(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 1.0);
}

void answer(backend_pool& pool, int replica, std::chrono::microseconds ttfb) {
  const auto now = clock::now();
  pool.replica_at(replica).health().report({.result = upstream::outcome::ok, .ttfb = ttfb, .started = now}, now,
                                           pool.settings().health);
}

TEST(slow_scorer, scores_0_for_a_replica_much_slower_than_its_group_and_1_otherwise) {
  backend_pool pool(group_of({1, 1, 1}));
  EXPECT_EQ(scores(config::scorer_kind::slow, pool, all_of(pool, {0, 0, 0})), (std::vector<double>{1, 1, 1}));
  answer(pool, 0, 400ms);
  answer(pool, 1, 100ms);
  answer(pool, 2, 100ms);
  EXPECT_EQ(scores(config::scorer_kind::slow, pool, all_of(pool, {0, 0, 0})), (std::vector<double>{0, 1, 1}));
}

TEST(slow_scorer, a_few_milliseconds_are_not_slowness_whatever_the_ratio) {
  backend_pool pool(group_of({1, 1}));
  answer(pool, 0, 1500us);
  answer(pool, 1, 300us);
  EXPECT_EQ(scores(config::scorer_kind::slow, pool, all_of(pool, {0, 0})), (std::vector<double>{1, 1}));
}

TEST(random_scorer, gives_the_highest_score_in_proportion_to_weight) {
  backend_pool pool(group_of({3, 1}));
  const auto c = all_of(pool, {0, 0});
  int first = 0;
  constexpr int draws = 20000;
  for (int i = 0; i < draws; ++i) {
    const auto s = scores(config::scorer_kind::random, pool, c);
    for (const double v : s) {
      ASSERT_GE(v, 0.0);
      ASSERT_LE(v, 1.0);
    }
    if (s[0] > s[1]) ++first;
  }
  EXPECT_NEAR(static_cast<double>(first) / draws, 0.75, 0.02);
}

TEST(prefix_scorer, scores_the_share_of_the_prompt_a_replica_was_sent_within_the_load_guard) {
  backend_pool pool(group_of({1, 1, 1}));
  const std::vector<std::uint64_t> prompt{11, 12, 13, 14};
  pool.prefixes().record(std::span<const std::uint64_t>(prompt).first(2), pool.replica_at(1).key);
  pool.prefixes().record(prompt, pool.replica_at(2).key);
  std::vector<double> out(3);
  auto c = all_of(pool, {0, 0, 0});
  make_scorer(config::scorer_kind::prefix)->score({pool, clock::now(), prompt}, c, out);
  EXPECT_EQ(out, (std::vector<double>{0, 0.5, 1}));
  // The guard: more than 2 x 1 + 4 requests against the least busy one's 1: no affinity.
  c = all_of(pool, {1, 6, 7});
  make_scorer(config::scorer_kind::prefix)->score({pool, clock::now(), prompt}, c, out);
  EXPECT_EQ(out, (std::vector<double>{0, 0.5, 0}));
  // No prompt blocks: nothing to go by.
  make_scorer(config::scorer_kind::prefix)->score({pool, clock::now()}, c, out);
  EXPECT_EQ(out, (std::vector<double>{0, 0, 0}));
}

// Replicas whose engines report these queues and KV-cache usages (nullopt: not scraped).
struct signalled {
  explicit signalled(std::vector<std::optional<router::signal_values>> reports) : pool(config_of(reports)) {
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (reports[i]) pool.replica_at(static_cast<int>(i)).signals().store(*reports[i], clock::now());
    }
  }
  static std::shared_ptr<const config::config> config_of(const std::vector<std::optional<router::signal_values>>& r) {
    auto cfg = std::make_shared<config::config>(*group_of(std::vector<int>(r.size(), 1)));
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (r[i]) cfg->models[i].metrics = config::metrics_scrape{};
    }
    return cfg;
  }
  std::vector<double> of(config::scorer_kind kind, std::chrono::steady_clock::duration later = {},
                         std::vector<int> seen = {}) {
    std::vector<double> out(static_cast<std::size_t>(pool.replica_count()));
    seen.resize(out.size());
    make_scorer(kind)->score({pool, clock::now() + later}, all_of(pool, seen), out);
    return out;
  }
  backend_pool pool;
};

TEST(queue_scorer, scores_the_engines_queue_relative_to_the_shortest_damped) {
  signalled s({router::signal_values{.waiting = 2}, router::signal_values{.waiting = 11}});
  // (4 + 2) / (4 + 11)
  EXPECT_EQ(s.of(config::scorer_kind::queue), (std::vector<double>{1, 0.4}));
}

TEST(queue_scorer, a_replica_without_a_fresh_reading_counts_as_no_queue_beyond_ours) {
  signalled s({router::signal_values{.waiting = 0}, router::signal_values{.waiting = 4}, std::nullopt,
               router::signal_values{.kv_usage = 0.5}});
  // Tied with the empty queue it does not beat, ahead of the one it does.
  EXPECT_EQ(s.of(config::scorer_kind::queue), (std::vector<double>{1, 0.5, 1, 1}));
  // Three intervals (1 s each) later the signals are stale: all tie.
  EXPECT_EQ(s.of(config::scorer_kind::queue, 4s), (std::vector<double>{1, 1, 1, 1}));
}

TEST(queue_scorer, counts_only_what_the_engine_holds_beyond_our_requests) {
  signalled s({router::signal_values{.waiting = 6, .running = 4}, router::signal_values{.waiting = 6, .running = 4}});
  // The first engine's ten are all ours; the second holds six for someone else.
  EXPECT_EQ(s.of(config::scorer_kind::queue, {}, {10, 4}), (std::vector<double>{1, 0.4}));
  // Fewer of ours in flight now than when it was scraped: never below 0.
  EXPECT_EQ(s.of(config::scorer_kind::queue, {}, {20, 10}), (std::vector<double>{1, 1}));
}

TEST(queue_scorer, counts_ours_as_they_were_when_the_engine_was_read) {
  // Ten of ours in flight to each when read, two now: the first holds nothing else, the second six.
  signalled s({router::signal_values{.waiting = 6, .running = 4, .ours = 10},
               router::signal_values{.waiting = 12, .running = 4, .ours = 10}});
  EXPECT_EQ(s.of(config::scorer_kind::queue, {}, {2, 2}), (std::vector<double>{1, 0.4}));
}

TEST(kv_cache_scorer, ties_replicas_with_room_falls_to_0_as_the_cache_fills_and_counts_no_reading_as_room) {
  signalled s({router::signal_values{.kv_usage = 0.25}, router::signal_values{.kv_usage = 0.8},
               router::signal_values{.kv_usage = 0.95}, router::signal_values{.kv_usage = 1}, std::nullopt});
  const auto scores = s.of(config::scorer_kind::kv_cache);
  EXPECT_EQ(scores[0], 1);
  EXPECT_EQ(scores[1], 1);
  EXPECT_NEAR(scores[2], 0.25, 1e-12);
  EXPECT_EQ(scores[3], 0);
  EXPECT_EQ(scores[4], 1);
}

TEST(prefix_scorer, the_load_guard_also_reads_the_engines_queue) {
  signalled s({router::signal_values{.waiting = 1}, router::signal_values{.waiting = 7}});
  const std::vector<std::uint64_t> prompt{5};
  for (int i = 0; i < 2; ++i) s.pool.prefixes().record(prompt, s.pool.replica_at(i).key);
  std::vector<double> out(2);
  make_scorer(config::scorer_kind::prefix)->score({s.pool, clock::now(), prompt}, all_of(s.pool, {0, 0}), out);
  EXPECT_EQ(out, (std::vector<double>{1, 0}));  // 7 queued is over 2 x 1 + 4
  // The same queues when they are our own requests, which the guard counts as such (7 is not
  // over 2 x 3 + 4).
  make_scorer(config::scorer_kind::prefix)->score({s.pool, clock::now(), prompt}, all_of(s.pool, {3, 7}), out);
  EXPECT_EQ(out, (std::vector<double>{1, 1}));
}

}  // namespace
}  // namespace llmd::router
