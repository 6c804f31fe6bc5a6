// Routing policies across the replicas of one group: how requests spread, by weight and by load.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

int requests_seen(const mock& m) { return m.stats()["requests"]; }

// `routing` lines (or "" for none) over the given entries.
std::string with_routing(const std::string& routing, const std::string& entries) {
  return routing + "models:\n" + entries;
}

// `total` requests with distinct prompts from `clients` threads at once; every one must be answered.
void send(const gateway& llmd, int total, int clients) {
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = c; i < total; i += clients) {
        const auto body = R"({"model":"m","messages":[{"role":"user","content":"request )" + std::to_string(i) + R"("}]})";
        EXPECT_EQ(llmd.post("/v1/chat/completions", body).status, 200u);
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
  // One request at a time, and no replica judged slow: the split is the weights' alone. With
  // requests in flight, or with one replica slower (the heavy one is, on a loaded machine: it does
  // three times the work), load and latency rightly move it (picker_test has the ties' share).
  const std::string fast_enough = "    slow_factor: 1000\n";
  gateway llmd(with_routing(routing, model_entry("m", heavy, "    weight: 3\n" + fast_enough) +
                                         model_entry("m", light, fast_enough)));
  // Enough for random's share to land within 10% of 3:1 but with odds of about 1e-5.
  constexpr int total = 600;
  send(llmd, total, 1);
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
  busy.configure({{"hang", true}});
  // `idle` gives its slot back just after the client has its answer: each request waits until
  // llm-d counts none in flight there, or it could find 1 on each replica, a tie.
  const auto idle_id = replica_id("m", idle);
  const auto settled = [&] {
    return eventually([&] { return llmd.replica(idle_id)["in_flight"] == 0; }, 5s, "idle's slot given back");
  };
  // One request at a time until one sits on `busy`, which never answers it (ties alternate, so
  // the first or the second lands there); `idle` answers the others at once.
  std::vector<std::thread> held;
  while (busy.stats()["in_flight"] == 0 && held.size() < 4) {
    ASSERT_TRUE(settled());
    const int answered = requests_seen(idle);
    held.emplace_back([&] { EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u); });
    ASSERT_TRUE(eventually([&] { return busy.stats()["in_flight"] == 1 || requests_seen(idle) > answered; }, 5s,
                           "the request placed"));
  }
  ASSERT_EQ(busy.stats()["in_flight"], 1);
  const int before = requests_seen(busy);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(settled());
    EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  }
  EXPECT_EQ(requests_seen(busy), before);
  EXPECT_EQ(busy.stats()["in_flight"], 1);
  // Gone without a byte, the held request is retried on `idle`.
  busy.crash();
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

namespace prefix {

using nlohmann::json;

// A chat body: the system prompt, then the turns so far (user and assistant in turn).
std::string conversation(const std::string& system, const std::vector<std::string>& turns) {
  json messages = json::array({{{"role", "system"}, {"content", system}}});
  for (std::size_t i = 0; i < turns.size(); ++i) {
    messages.push_back({{"role", i % 2 == 0 ? "user" : "assistant"}, {"content", turns[i]}});
  }
  return json{{"model", "m"}, {"messages", messages}}.dump();
}

std::string system_prompt(int n) {
  std::string text = "You are assistant number " + std::to_string(n) + ". ";
  while (text.size() < 2000) text += "Answer carefully, cite your sources, and keep it short. ";
  return text;
}

std::string three_replicas(const std::string& routing, const mock& a, const mock& b, const mock& c) {
  return routing + "models:\n" + model_entry("m", a) + model_entry("m", b) + model_entry("m", c);
}

TEST(prefix_affinity, conversations_keep_to_the_replica_that_holds_their_prefix) {
  mock a("a"), b("b"), c("c");
  gateway llmd(three_replicas("routing:\n  policy: prefix_affinity\n", a, b, c));
  constexpr int conversations = 50;
  constexpr int turns = 4;
  std::vector<std::vector<std::string>> history(conversations);
  std::vector<std::string> first(conversations);
  int kept = 0;
  int later = 0;
  for (int turn = 0; turn < turns; ++turn) {
    for (int n = 0; n < conversations; ++n) {
      history[n].push_back("Question " + std::to_string(turn) + " of user " + std::to_string(n));
      const auto r = llmd.post("/v1/chat/completions", conversation(system_prompt(n % 6), history[n]));
      ASSERT_EQ(r.status, 200u) << r.body;
      const auto backend = r.header("x-llmd-backend");
      if (turn == 0) {
        first[n] = backend;
      } else {
        ++later;
        kept += backend == first[n];
      }
      history[n].push_back("Answer " + std::to_string(turn));
    }
  }
  EXPECT_GE(kept, later * 9 / 10) << kept << " of " << later << " later turns on the first replica";
}

TEST(prefix_affinity, distinct_prompts_spread_over_every_replica) {
  mock a("a"), b("b"), c("c");
  gateway llmd(three_replicas("routing:\n  policy: prefix_affinity\n", a, b, c));
  constexpr int total = 60;
  for (int n = 0; n < total; ++n) {
    const auto r = llmd.post("/v1/chat/completions", conversation(std::to_string(n) + " " + system_prompt(n), {"Hi"}));
    ASSERT_EQ(r.status, 200u);
  }
  for (const mock* m : {&a, &b, &c}) {
    EXPECT_GT(requests_seen(*m), 0);
    EXPECT_LE(requests_seen(*m), total * 6 / 10);
  }
}

TEST(prefix_affinity, a_busy_preferred_replica_does_not_take_every_request) {
  mock a("a"), b("b"), c("c");
  gateway llmd(three_replicas("routing:\n  policy: prefix_affinity\n", a, b, c));
  const auto body = conversation(system_prompt(1), {"The same question"});
  const auto r = llmd.post("/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200u);
  mock* preferred = nullptr;
  for (mock* m : {&a, &b, &c}) {
    if (requests_seen(*m) == 1) preferred = m;
  }
  ASSERT_NE(preferred, nullptr);
  preferred->configure({{"delay_ms", 2000}});
  // Twelve at once, all with the prefix it holds: past the guard (2 x 0 + 4 in flight) the others
  // take them.
  constexpr int burst = 12;
  std::vector<std::thread> clients;
  for (int i = 0; i < burst; ++i) {
    clients.emplace_back([&] { EXPECT_EQ(llmd.post("/v1/chat/completions", body).status, 200u); });
  }
  for (auto& t : clients) t.join();
  const int on_preferred = requests_seen(*preferred) - 1;
  EXPECT_GE(on_preferred, 1);
  EXPECT_LT(on_preferred, burst);
  EXPECT_EQ(requests_seen(a) + requests_seen(b) + requests_seen(c), burst + 1);
}

TEST(prefix_affinity, metrics_count_the_lookups_and_the_hits) {
  mock a("a"), b("b"), c("c");
  gateway llmd(three_replicas("", a, b, c));  // the default mix reads prefixes too
  const auto long_prompt = conversation(system_prompt(3), {"Hi"});
  ASSERT_EQ(llmd.post("/v1/chat/completions", long_prompt).status, 200u);  // looked up, nothing there
  ASSERT_EQ(llmd.post("/v1/chat/completions", long_prompt).status, 200u);  // a hit
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);  // under one block: no lookup
  std::optional<scrape> m;
  ASSERT_TRUE(eventually(
      [&] {
        m.emplace(llmd.get("/metrics").body);
        return m->sum("llmd_requests_total") >= 3;
      },
      10s, "the requests counted"));
  EXPECT_EQ(m->value("llmd_prefix_lookups_total"), 2);
  EXPECT_EQ(m->value("llmd_prefix_hits_total"), 1);
}

}  // namespace prefix

namespace signals {

using nlohmann::json;

// Two replicas of `m`, each scraped every 500 ms: its signals stay fresh for 1.5 s, through a
// slow spell of a loaded machine.
std::string scraped_pair(const mock& a, const mock& b) {
  const std::string scrape = "    metrics: {interval: 500ms}\n";
  return "models:\n" + model_entry("m", a, scrape) + model_entry("m", b, scrape);
}

json signals_of(const gateway& llmd, const mock& m) { return llmd.replica(replica_id("m", m))["signals"]; }

// Until both replicas' signals were read, and show `waiting` on `m`.
testing::AssertionResult read_back(const gateway& llmd, const mock& m, const mock& other, double waiting) {
  return eventually(
      [&] {
        const auto s = signals_of(llmd, m);
        return s["fresh"] == true && s["waiting"] == waiting && signals_of(llmd, other)["fresh"] == true;
      },
      10s, "the signals read");
}

class engine_names : public testing::TestWithParam<std::string> {};

TEST_P(engine_names, a_replica_reporting_a_long_queue_gets_little_new_traffic) {
  mock queued("queued"), free("free");
  for (const mock* m : {&queued, &free}) m->configure({{"metrics_names", GetParam()}});
  queued.configure({{"waiting", 40}});
  gateway llmd(scraped_pair(queued, free));
  ASSERT_TRUE(read_back(llmd, queued, free, 40));
  send(llmd, 100, 4);
  EXPECT_LT(requests_seen(queued), 20) << requests_seen(queued) << " of 100";
}

TEST_P(engine_names, a_replica_reporting_a_nearly_full_kv_cache_gets_little_new_traffic) {
  mock full("full"), roomy("roomy");
  for (const mock* m : {&full, &roomy}) m->configure({{"metrics_names", GetParam()}, {"kv_usage", 0.1}});
  full.configure({{"kv_usage", 0.97}});
  gateway llmd(scraped_pair(full, roomy));
  ASSERT_TRUE(eventually([&] { return signals_of(llmd, full)["kv_cache_usage"] == 0.97 && signals_of(llmd, roomy)["fresh"] == true; },
                         10s, "the signals read"));
  send(llmd, 100, 4);
  EXPECT_LT(requests_seen(full), 30) << requests_seen(full) << " of 100";
}

INSTANTIATE_TEST_SUITE_P(engines, engine_names, testing::Values("vllm", "vllm-v0", "sglang"));

TEST(backend_signals, a_metrics_page_that_hangs_never_delays_a_request_and_counts_as_failures) {
  mock hanging("hanging");
  hanging.configure({{"metrics_hang", true}});
  gateway llmd("models:\n" + model_entry("m", hanging, "    metrics: {interval: 1s, timeout: 900ms}\n"));
  ASSERT_TRUE(eventually([&] { return signals_of(llmd, hanging)["scrape_failures"].get<int>() >= 2; }, 10s,
                         "two scrapes given up"));
  // Each scrape waits 900 ms for its page, one after another: twenty requests that waited for one
  // each would take 18 s.
  const auto start = std::chrono::steady_clock::now();
  send(llmd, 20, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(requests_seen(hanging), 20);
  const scrape m(llmd.get("/metrics").body);
  EXPECT_GE(m.value("llmd_scrape_failures_total", {{"backend", replica_id("m", hanging)}}), 2);
  EXPECT_EQ(signals_of(llmd, hanging)["fresh"], false);
  EXPECT_EQ(signals_of(llmd, hanging)["age_ms"], nullptr);
}

TEST(backend_signals, admin_backends_shows_the_last_signals_and_their_age) {
  mock a("a"), b("b");
  a.configure({{"waiting", 3}, {"kv_usage", 0.5}});
  gateway llmd(scraped_pair(a, b));
  ASSERT_TRUE(read_back(llmd, a, b, 3));
  const auto s = signals_of(llmd, a);
  EXPECT_EQ(s["kv_cache_usage"], 0.5);
  EXPECT_EQ(s["running"], 0);
  EXPECT_LT(s["age_ms"].get<int>(), 3000);  // read within the last intervals
  EXPECT_EQ(s["scrape_failures"], 0);
  // An entry without `metrics` is not read.
  mock c("c");
  gateway plain("models:\n" + model_entry("m", c));
  EXPECT_EQ(plain.replica(replica_id("m", c))["signals"], nullptr);
}

}  // namespace signals

namespace sessions {

// The backend that answered each of `n` requests carrying `headers`.
std::vector<std::string> backends_of(const gateway& llmd, int n, const headers& with) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const auto r = llmd.post("/v1/chat/completions", chat_body("m"), with);
    EXPECT_EQ(r.status, 200u);
    out.push_back(r.header("x-llmd-backend"));
  }
  return out;
}

bool all_same(const std::vector<std::string>& backends) {
  return std::all_of(backends.begin(), backends.end(), [&](const auto& b) { return b == backends.front(); });
}

TEST(session_affinity, requests_of_a_session_stick_to_one_replica_and_sessions_spread) {
  mock a("a"), b("b"), c("c");
  gateway llmd("routing:\n  policy: round_robin\n" + std::string("models:\n") + model_entry("m", a) +
               model_entry("m", b) + model_entry("m", c));
  std::set<std::string> used;
  for (int s = 0; s < 6; ++s) {
    const auto backends = backends_of(llmd, 5, {{"x-session-id", "session-" + std::to_string(s)}});
    EXPECT_TRUE(all_same(backends)) << "session " << s;
    used.insert(backends.front());
  }
  EXPECT_EQ(used.size(), 3u);  // round robin placed the six sessions' first requests
}

TEST(session_affinity, a_session_whose_replica_is_full_moves_and_sticks_to_the_new_one) {
  mock a("a"), b("b");
  gateway llmd("models:\n" + model_entry("m", a, "    max_concurrent: 1\n") +
               model_entry("m", b, "    max_concurrent: 1\n"));
  const headers session{{"x-session-id", "chat-42"}};
  const auto first = backends_of(llmd, 1, session).front();
  mock& home = first == replica_id("m", a) ? a : b;
  home.configure({{"delay_ms", 2000}});
  // Another client of the same session fills its replica's one slot...
  std::thread holder([&] { EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), session).status, 200u); });
  ASSERT_TRUE(eventually([&] { return home.stats()["in_flight"] == 1; }, 5s, "the slot held"));
  // ...so the session moves, and stays where it moved.
  const auto moved = backends_of(llmd, 3, session);
  EXPECT_NE(moved.front(), first);
  EXPECT_TRUE(all_same(moved));
  holder.join();
  EXPECT_EQ(backends_of(llmd, 1, session).front(), moved.front());
}

TEST(session_affinity, the_header_is_the_one_routing_names) {
  mock a("a"), b("b"), c("c");
  gateway llmd("routing:\n  policy: round_robin\n  session_header: x-conversation\n" + std::string("models:\n") +
               model_entry("m", a) + model_entry("m", b) + model_entry("m", c));
  EXPECT_TRUE(all_same(backends_of(llmd, 6, {{"x-conversation", "c1"}})));
  EXPECT_FALSE(all_same(backends_of(llmd, 6, {{"x-session-id", "c1"}})));  // round robin, not a session
}

}  // namespace sessions

}  // namespace
}  // namespace llmd::test
