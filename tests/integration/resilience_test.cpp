// Retries, backpressure and health: backend failures stay invisible to clients where they can.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

int requests_seen(const mock& m) { return m.stats()["requests"]; }

TEST(resilience, a_failed_attempt_is_retried_on_another_replica_of_the_group) {
  mock flaky("flaky", {"--status", "500"});
  mock good("good");
  gateway llmd("models:\n" + model_entry("m", flaky) + model_entry("m", good));
  const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("m", good));
  EXPECT_EQ(r.header("x-llmd-attempts"), "2");
  EXPECT_EQ(requests_seen(flaky), 1);
  EXPECT_EQ(requests_seen(good), 1);
}

TEST(resilience, a_lone_replica_is_retried_after_backoff_then_the_chain_moves_on) {
  mock flaky("flaky", {"--status", "503"});
  mock fallback("fallback");
  gateway llmd("models:\n" + model_entry("m", flaky, "    retries: 2\n    retry_backoff: 20ms\n") + model_entry("f", fallback));
  const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("f", fallback));
  EXPECT_EQ(r.header("x-llmd-attempts"), "4");
  EXPECT_EQ(requests_seen(flaky), 3);
}

TEST(resilience, falls_back_on_reset_429_and_first_byte_timeout) {
  for (const std::vector<std::string>& fault :
       {std::vector<std::string>{"--reset"}, {"--status", "429"}, {"--hang"}}) {
    mock bad("bad", fault);
    mock fallback("fallback");
    gateway llmd("models:\n" + model_entry("m", bad, "    retries: 0\n    first_byte_timeout: 300ms\n") +
                 model_entry("f", fallback));
    const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
    EXPECT_EQ(r.status, 200u) << fault[0] << ": " << r.body;
    EXPECT_EQ(r.header("x-llmd-backend"), replica_id("f", fallback)) << fault[0];
  }
}

TEST(resilience, a_backend_that_died_since_the_last_request_is_passed_over_cleanly) {
  mock doomed("doomed");
  mock fallback("fallback");
  // One worker, so that the second request meets the connection the first one left in its pool.
  gateway llmd("workers: 1\nmodels:\n" + model_entry("m", doomed, "    retries: 0\n") + model_entry("f", fallback));
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  doomed.crash();
  // The pooled connection is found closed and a fresh one is refused: that attempt ends with no
  // connection (and no response fields) left, and the fallback answers.
  const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("f", fallback));
  EXPECT_EQ(r.header("x-llmd-attempts"), "2");
}

TEST(resilience, nothing_is_retried_once_a_byte_reached_the_client) {
  mock breaks("breaks", {"--break-after", "2"});
  mock good("good");
  gateway llmd("models:\n" + model_entry("m", breaks) + model_entry("m", good));
  const auto r = llmd.post("/v1/chat/completions", chat_body("m", true));
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("\"upstream_broken\""), std::string::npos) << r.body;
  EXPECT_EQ(requests_seen(good), 0);
}

TEST(resilience, slots_hold_under_200_concurrent_requests_and_the_queue_absorbs_the_rest) {
  mock slow("slow", {"--delay", "20ms", "--threads", "2"});
  gateway llmd("models:\n" + model_entry("m", slow, "    max_concurrent: 4\n"));
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  std::atomic<bool> done{false};
  int most_seen = 0;
  // The slot counter itself, sampled from llm-d while the load runs. (The mock's own count can
  // overlap by one: it ends a request after its last write, llm-d once it read that write.)
  std::thread sampler([&] {
    while (!done) most_seen = std::max(most_seen, llmd.replica(replica_id("m", slow))["in_flight"].get<int>());
  });
  for (int i = 0; i < 200; ++i) {
    clients.emplace_back([&] {
      if (llmd.post("/v1/chat/completions", chat_body("m")).status == 200) ++ok;
    });
  }
  for (auto& c : clients) c.join();
  done = true;
  sampler.join();
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(most_seen, 4);
  EXPECT_EQ(slow.stats()["requests"], 200);
  EXPECT_EQ(llmd.replica(replica_id("m", slow))["in_flight"], 0);
}

TEST(resilience, a_full_queue_answers_429_with_retry_after) {
  mock slow("slow", {"--delay", "3s"});
  gateway llmd("queue:\n  max_waiting: 1\n  max_wait: 10s\nmodels:\n" + model_entry("m", slow, "    max_concurrent: 1\n"));
  std::thread running([&] { llmd.post("/v1/chat/completions", chat_body("m")); });
  EXPECT_TRUE(eventually([&] { return slow.stats()["in_flight"] == 1; }, 5s, "the first request running"));
  std::thread waiting([&] { llmd.post("/v1/chat/completions", chat_body("m")); });
  EXPECT_TRUE(eventually([&] { return json::parse(llmd.get("/admin/backends").body)["queue"]["waiting"] == 1; }, 5s,
                         "the second request queued"));
  const auto refused = llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(refused.status, 429u);
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "rate_limit_exceeded");
  EXPECT_FALSE(refused.header("retry-after").empty());
  running.join();
  waiting.join();
  EXPECT_EQ(slow.stats()["requests"], 2);  // the refused request never reached the backend
}

TEST(resilience, a_request_waits_no_longer_than_max_wait) {
  mock slow("slow", {"--delay", "5s"});
  gateway llmd("queue:\n  max_wait: 300ms\nmodels:\n" + model_entry("m", slow, "    max_concurrent: 1\n"));
  std::thread running([&] { llmd.post("/v1/chat/completions", chat_body("m")); });
  EXPECT_TRUE(eventually([&] { return slow.stats()["in_flight"] == 1; }, 5s, "the first request running"));
  const auto started = std::chrono::steady_clock::now();
  const auto refused = llmd.post("/v1/chat/completions", chat_body("m"));
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(refused.status, 429u);
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 4s);  // answered long before the slot would have freed
  running.join();
}

TEST(resilience, failures_eject_a_replica_and_it_returns_after_its_cooldown) {
  mock sick("sick", {"--status", "500"});
  mock good("good");
  // A slow_factor out of reach: one trial answer slowed by a loaded machine must not make the
  // readmitted replica "slow", which is another test's subject.
  gateway llmd("health:\n  failures_to_eject: 2\n  cooldown: 1s\ndefaults:\n  slow_factor: 1000\nmodels:\n" +
               model_entry("m", sick, "    retries: 1\n") + model_entry("m", good));
  for (int i = 0; i < 2; ++i) EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  ASSERT_EQ(llmd.replica(replica_id("m", sick))["state"], "ejected");
  const int seen = requests_seen(sick);
  for (int i = 0; i < 10; ++i) {
    const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
    EXPECT_EQ(r.header("x-llmd-attempts"), "1");
  }
  EXPECT_EQ(requests_seen(sick), seen);  // no traffic while ejected
  sick.configure({{"status", 0}});
  ASSERT_TRUE(
      eventually([&] { return llmd.replica(replica_id("m", sick))["state"] == "half_open"; }, 5s, "cooldown end"));
  for (int i = 0; i < 4; ++i) llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(llmd.replica(replica_id("m", sick))["state"], "healthy");
  EXPECT_GT(requests_seen(sick), seen + 1);  // the trial, then ordinary traffic
}

TEST(resilience, active_checks_eject_a_replica_whose_health_fails_and_traffic_shifts) {
  mock a("a");
  mock b("b");
  // Generous probe timeout: the chaos test may share the two cores with this one.
  const std::string check = "    health_check:\n      interval: 300ms\n      timeout: 250ms\n";
  gateway llmd("models:\n" + model_entry("m", a, check) + model_entry("m", b, check));
  a.configure({{"health_status", 503}});
  ASSERT_TRUE(eventually([&] { return llmd.replica(replica_id("m", a))["state"] == "probe_failing"; }, 5s,
                         "the probe ejecting the replica of a"));
  const int seen = requests_seen(a);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).header("x-llmd-backend"), replica_id("m", b));
  }
  EXPECT_EQ(requests_seen(a), seen);
  a.configure({{"health_status", 200}});
  ASSERT_TRUE(eventually([&] { return llmd.replica(replica_id("m", a))["state"] == "healthy"; }, 5s, "readmission"));
}

TEST(resilience, retry_after_cools_a_replica_down) {
  mock limited("limited", {"--status", "429", "--retry-after", "30"});
  mock good("good");
  gateway llmd("models:\n" + model_entry("m", limited) + model_entry("m", good));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).header("x-llmd-backend"), replica_id("m", good));
  EXPECT_EQ(llmd.replica(replica_id("m", limited))["state"], "cooling_down");
  for (int i = 0; i < 5; ++i) llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(requests_seen(limited), 1);
}

TEST(resilience, the_retry_budget_caps_attempts_when_every_backend_fails) {
  mock dead("dead", {"--status", "500"});
  gateway llmd("retry_budget:\n  percent: 0\n  min_retries: 3\nhealth:\n  failures_to_eject: 1000\nmodels:\n" +
               model_entry("m", dead, "    retries: 2\n    retry_backoff: 1ms\n"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 502u);
  EXPECT_EQ(requests_seen(dead), 5 + 3);  // without the budget: 15
  const auto last = llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_NE(json::parse(last.body)["error"]["message"].get<std::string>().find("retry budget exhausted"),
            std::string::npos);
}

TEST(resilience, ready_turns_503_when_everything_is_ejected_but_requests_still_try) {
  mock sick("sick", {"--status", "500"});
  gateway llmd("health:\n  failures_to_eject: 1\n  cooldown: 30s\nmodels:\n" + model_entry("m", sick, "    retries: 0\n"));
  EXPECT_EQ(llmd.get("/ready").status, 200u);
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 502u);
  EXPECT_EQ(llmd.get("/ready").status, 503u);
  // Panic mode: with nothing healthy left, the ejected replica is tried rather than nothing.
  sick.configure({{"status", 0}});
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_EQ(llmd.get("/ready").status, 200u);
}

std::string long_prompt(const std::string& model) {
  std::string words;
  for (int i = 0; i < 50; ++i) words += "word ";
  return json{{"model", model}, {"messages", {{{"role", "user"}, {"content", words}}}}}.dump();
}

TEST(resilience, a_prompt_too_long_for_the_model_goes_to_a_context_window_fallback) {
  mock small("small", {"--max-context", "32"});
  mock large("large");
  mock other("other");
  gateway llmd("models:\n" + model_entry("small", small, "    context_window_fallbacks: [large]\n    fallbacks: [other]\n") +
               model_entry("large", large) + model_entry("other", other));
  const auto r = llmd.post("/v1/chat/completions", long_prompt("small"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("large", large));
  EXPECT_EQ(r.header("x-llmd-attempts"), "2");
  EXPECT_EQ(requests_seen(small), 1);
  EXPECT_EQ(requests_seen(other), 0);
  // A prompt that fits stays where it was sent.
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("small")).header("x-llmd-backend"),
            replica_id("small", small));
}

TEST(resilience, other_client_errors_pass_through_even_with_context_window_fallbacks) {
  mock picky("picky", {"--status", "400"});
  mock large("large");
  gateway llmd("models:\n" + model_entry("picky", picky, "    context_window_fallbacks: [large]\n") + model_entry("large", large));
  const auto r = llmd.post("/v1/chat/completions", long_prompt("picky"));
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("picky", picky));
  EXPECT_TRUE(json::parse(r.body).contains("error"));
  EXPECT_EQ(requests_seen(large), 0);
}

TEST(resilience, when_no_larger_model_can_answer_the_original_error_is_returned) {
  mock small("small", {"--max-context", "32"});
  refusing_port gone;
  gateway llmd("models:\n" + model_entry("small", small, "    context_window_fallbacks: [large]\n") +
               "  - name: large\n    endpoint: " + gone.endpoint() + "\n    retries: 0\n");
  const auto r = llmd.post("/v1/chat/completions", long_prompt("small"));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("maximum context length is 32"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("small", small));
  EXPECT_EQ(r.header("x-llmd-attempts"), "2");
}

TEST(resilience, a_replica_much_slower_to_first_byte_gets_fewer_requests) {
  mock slow("slow", {"--delay", "150ms"});
  mock fast("fast");
  gateway llmd("models:\n" + model_entry("m", slow) + model_entry("m", fast));
  // Ties go round-robin, so both replicas are measured; then the slow one counts four times busier.
  for (int i = 0; i < 30; ++i) EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_GT(llmd.replica(replica_id("m", slow))["ttfb_ewma_ms"].get<double>(), 100);
  EXPECT_LE(requests_seen(slow), 3);
  EXPECT_GE(requests_seen(fast), 27);
}

TEST(resilience, a_client_that_leaves_the_queue_gives_its_place_back) {
  mock slow("slow", {"--delay", "3s"});
  gateway llmd("models:\n" + model_entry("m", slow, "    max_concurrent: 1\n"));
  std::thread running([&] { llmd.post("/v1/chat/completions", chat_body("m")); });
  EXPECT_TRUE(eventually([&] { return slow.stats()["in_flight"] == 1; }, 5s, "the first request running"));
  const auto queued = [&] { return json::parse(llmd.get("/admin/backends").body)["queue"]["waiting"].get<int>(); };
  {
    connection leaving(llmd.port());
    leaving.send("POST", "/v1/chat/completions", chat_body("m"));
    EXPECT_TRUE(eventually([&] { return queued() == 1; }, 5s, "the second request queued"));
  }
  EXPECT_TRUE(eventually([&] { return queued() == 0; }, 2s, "the queue place given back"));
  running.join();
  EXPECT_EQ(slow.stats()["requests"], 1);  // the one that left never reached the backend
}

TEST(resilience, a_client_that_leaves_after_queueing_cancels_its_upstream_request) {
  mock slow("slow", {"--delay", "1s"});
  gateway llmd("models:\n" + model_entry("m", slow, "    max_concurrent: 1\n"));
  std::thread running([&] { llmd.post("/v1/chat/completions", chat_body("m")); });
  EXPECT_TRUE(eventually([&] { return slow.stats()["in_flight"] == 1; }, 5s, "the first request running"));
  {
    connection leaving(llmd.port());
    leaving.send("POST", "/v1/chat/completions", chat_body("m"));
    // It waits in the queue, then reaches the backend once the first request is done.
    EXPECT_TRUE(eventually([&] { return slow.stats()["requests"] == 2; }, 5s, "the queued request sent"));
  }
  // Cancelled, not answered: the mock counts a response abandoned because its client left.
  EXPECT_TRUE(eventually([&] { return slow.stats()["cancelled"] == 1; }, 5s, "the upstream request cancelled"));
  EXPECT_EQ(slow.stats()["in_flight"], 0);
  running.join();
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_EQ(llmd.replica(replica_id("m", slow))["in_flight"], 0);
}

}  // namespace
}  // namespace llmd::test
