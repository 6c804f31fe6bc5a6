// Routing policies across the replicas of one group: how requests spread, by weight and by load.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

int requests_seen(const mock& m) { return m.stats()["requests"]; }

// `routing` lines (or "" for none) over the given entries.
std::string with_routing(const std::string& routing, const std::string& entries) {
  return routing + "models:\n" + entries;
}

// `total` requests from `clients` threads at once; every one must be answered.
void send(const gateway& llmd, int total, int clients) {
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = c; i < total; i += clients) {
        EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
      }
    });
  }
  for (auto& t : threads) t.join();
}

TEST(routing, round_robin_spreads_requests_evenly) {
  mock a("a"), b("b"), c("c");
  gateway llmd(with_routing("routing:\n  policy: round_robin\n",
                            model_entry("m", a) + model_entry("m", b) + model_entry("m", c)));
  send(llmd, 150, 4);
  for (const mock* m : {&a, &b, &c}) {
    EXPECT_GE(requests_seen(*m), 45);
    EXPECT_LE(requests_seen(*m), 55);
  }
}

TEST(routing, random_uses_every_replica) {
  mock a("a"), b("b"), c("c");
  gateway llmd(with_routing("routing:\n  policy: random\n",
                            model_entry("m", a) + model_entry("m", b) + model_entry("m", c)));
  send(llmd, 90, 3);
  // Each has a third of the chance: none is left out but with odds below 1e-10.
  for (const mock* m : {&a, &b, &c}) EXPECT_GT(requests_seen(*m), 0);
}

class weighted_routing : public testing::TestWithParam<std::string> {};

TEST_P(weighted_routing, weights_3_to_1_split_requests_3_to_1) {
  mock heavy("heavy"), light("light");
  const auto routing = GetParam() == "default" ? "" : "routing:\n  policy: " + GetParam() + "\n";
  gateway llmd(with_routing(routing, model_entry("m", heavy, "    weight: 3\n") + model_entry("m", light)));
  // Enough for random's share to land within 10% of 3:1 but with odds of about 1e-5.
  constexpr int total = 600;
  send(llmd, total, 4);
  const double share = static_cast<double>(requests_seen(heavy)) / total;
  EXPECT_EQ(requests_seen(heavy) + requests_seen(light), total);
  EXPECT_NEAR(share, 0.75, 0.075) << requests_seen(heavy) << " to " << requests_seen(light);
}

INSTANTIATE_TEST_SUITE_P(policies, weighted_routing,
                         testing::Values("round_robin", "random", "least_loaded", "default"));

class load_aware_routing : public testing::TestWithParam<std::string> {};

TEST_P(load_aware_routing, new_requests_go_away_from_a_replica_holding_slow_ones) {
  mock busy("busy"), idle("idle");
  const auto routing = GetParam() == "default" ? "" : "routing:\n  policy: " + GetParam() + "\n";
  gateway llmd(with_routing(routing, model_entry("m", busy) + model_entry("m", idle)));
  busy.configure({{"delay_ms", 3000}});
  // One request at a time until one sits on `busy` for its 3 s (ties alternate, so the first or
  // the second does); `idle` answers the others at once.
  std::vector<std::thread> held;
  while (busy.stats()["in_flight"] == 0 && held.size() < 4) {
    const int answered = requests_seen(idle);
    held.emplace_back([&] { EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u); });
    ASSERT_TRUE(eventually([&] { return busy.stats()["in_flight"] == 1 || requests_seen(idle) > answered; }, 5s,
                           "the request placed"));
  }
  ASSERT_EQ(busy.stats()["in_flight"], 1);
  const int before = requests_seen(busy);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_EQ(requests_seen(busy), before);
  EXPECT_EQ(busy.stats()["in_flight"], 1);
  for (auto& t : held) t.join();
}

INSTANTIATE_TEST_SUITE_P(policies, load_aware_routing, testing::Values("least_loaded", "default"));

TEST(routing, an_unknown_policy_is_a_config_error_naming_it) {
  mock a("a");
  temp_dir dir;
  const auto cfg = dir.write("llm-d.yaml", with_routing("routing:\n  policy: fastest\n", model_entry("m", a)));
  const auto r = run(llmd_binary(), {"--check-config", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown routing policy \"fastest\""), std::string::npos) << r.output;
}

}  // namespace
}  // namespace llmd::test
