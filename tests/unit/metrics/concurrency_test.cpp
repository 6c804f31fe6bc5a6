// Several threads at once, as the workers and the scraper will be: each worker with its own shard,
// some threads (the admin thread, a probe) with none. No sleeps: threads start together on a latch
// and run a fixed amount of work.
#include <atomic>
#include <cstdint>
#include <gtest/gtest.h>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "llmd/metrics/registry.hpp"

namespace llmd::metrics {
namespace {

constexpr int shards = 4;
constexpr int iterations = 50'000;

// The integer after `prefix ` at the start of a line of `text`.
std::uint64_t sample(const std::string& text, const std::string& prefix) {
  const auto at = text.find("\n" + prefix + " ");
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + prefix.size() + 2));
}

// Runs `body(t)` on threads 0..count-1; thread t takes shard t while t < shards, shard 9 (beyond
// the registry's count) for the next one, and none for the rest.
template <class Body>
void on_threads(int count, Body body) {
  std::latch start(count);
  std::vector<std::jthread> threads;
  for (int t = 0; t < count; ++t) {
    threads.emplace_back([&, t] {
      if (t < shards) set_thread_shard(static_cast<std::size_t>(t));
      if (t == shards) set_thread_shard(9);
      start.arrive_and_wait();
      body(t);
    });
  }
}

TEST(concurrent_writes, from_threads_with_and_without_shards_sum_exactly) {
  registry r(static_cast<std::size_t>(shards));
  auto& requests = r.counter("requests_total", "", {"model"});
  auto& ttfb = r.histogram("ttfb_seconds", "", {"model"}, {0.001, 0.01});
  constexpr int threads = 7;
  on_threads(threads, [&](int t) {
    auto& c = requests.with({"llama"});
    auto& h = ttfb.with({"llama"});
    for (int i = 0; i < iterations; ++i) {
      c.add();
      requests.with({t % 2 == 0 ? "even" : "odd"}).add(2);
      h.observe(i % 3 == 0 ? 0.001 : 0.002);  // 1 ms or 2 ms, exact in nanoseconds
    }
  });
  EXPECT_EQ(requests.with({"llama"}).value(), std::uint64_t{threads} * iterations);
  EXPECT_EQ(requests.with({"even"}).value(), 4u * 2 * iterations);
  EXPECT_EQ(requests.with({"odd"}).value(), 3u * 2 * iterations);
  auto& h = ttfb.with({"llama"});
  EXPECT_EQ(h.count(), std::uint64_t{threads} * iterations);
  std::vector<std::uint64_t> buckets(3);
  h.bucket_counts(buckets);
  const std::uint64_t per_thread_small = (iterations + 2) / 3;
  EXPECT_EQ(buckets[0], threads * per_thread_small);
  EXPECT_EQ(buckets[1], threads * (iterations - per_thread_small));
  EXPECT_EQ(buckets[2], 0u);
  const std::uint64_t ns = threads * (per_thread_small * 1'000'000 + (iterations - per_thread_small) * 2'000'000);
  EXPECT_EQ(h.sum(), static_cast<double>(ns) / 1e9);
}

TEST(concurrent_with, from_many_threads_creates_one_series) {
  registry r(static_cast<std::size_t>(shards));
  auto& f = r.counter("requests_total", "", {"model", "code"});
  constexpr int threads = 8;
  std::vector<counter*> got(threads);
  on_threads(threads, [&](int t) {
    got[static_cast<std::size_t>(t)] = &f.with({"llama", "200"});
    got[static_cast<std::size_t>(t)]->add();
  });
  EXPECT_EQ(std::set<counter*>(got.begin(), got.end()).size(), 1u);
  EXPECT_EQ(r.render(),
            "# HELP requests_total \n# TYPE requests_total counter\n"
            "requests_total{model=\"llama\",code=\"200\"} 8\n");
}

TEST(concurrent_render, while_writers_run_sees_values_only_grow) {
  registry r(static_cast<std::size_t>(shards));
  auto& requests = r.counter("requests_total", "", {});
  auto& ttfb = r.histogram("ttfb_seconds", "", {}, latency_buckets());
  auto& per_thread = r.counter("per_thread_total", "", {"thread", "i"});
  std::atomic<int> writers_left{shards + 2};
  std::uint64_t renders = 0;
  on_threads(shards + 3, [&](int t) {
    if (t == shards + 2) {  // the scraper: renders until the writers are done, then once more
      std::uint64_t last_count = 0;
      std::uint64_t last_inf = 0;
      for (bool done = false; !done;) {
        done = writers_left.load() == 0;
        const std::string text = r.render();
        ++renders;
        const auto count = sample(text, "requests_total");
        const auto inf = sample(text, "ttfb_seconds_bucket{le=\"+Inf\"}");
        EXPECT_GE(count, last_count);
        EXPECT_GE(inf, last_inf);
        EXPECT_EQ(sample(text, "ttfb_seconds_count"), inf);
        last_count = count;
        last_inf = inf;
      }
      EXPECT_EQ(last_count, std::uint64_t{shards + 2} * iterations);
      EXPECT_EQ(last_inf, std::uint64_t{shards + 2} * iterations);
      return;
    }
    const std::string thread = std::to_string(t);
    for (int i = 0; i < iterations; ++i) {
      requests.with({}).add();
      ttfb.with({}).observe(0.05);
      // New series while the scraper renders the family.
      if (i % 1000 == 0) per_thread.with({thread, std::to_string(i)}).add();
    }
    writers_left.fetch_sub(1);
  });
  EXPECT_GE(renders, 1u);
}

}  // namespace
}  // namespace llmd::metrics
