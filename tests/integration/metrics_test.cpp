// /metrics counts what happened, by group, replica and status, and nothing a client invents.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

scrape metrics_of(const gateway& llmd) {
  const auto r = llmd.get("/metrics");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return scrape(r.body);
}

// The scrape once `requests` requests are counted: a request is counted when its last byte is
// written, which the client may see first.
scrape metrics_after(const gateway& llmd, double requests) {
  std::optional<scrape> m;
  EXPECT_TRUE(eventually(
      [&] {
        m.emplace(metrics_of(llmd));
        return m->sum("llmd_requests_total") >= requests;
      },
      10s, std::to_string(requests) + " requests counted"));
  return *m;
}

std::string two_groups(const mock& a, const mock& b, const std::string& extra_a = "") {
  return "models:\n" + model_entry("a", a, "    max_concurrent: 3\n" + extra_a) +
         model_entry("b", b, "    max_concurrent: 5\n");
}

TEST(metrics, each_counter_moves_by_exactly_the_requests_sent) {
  mock a("a");
  mock b("b");
  gateway llmd("default_model: null\n" + two_groups(a, b));
  const auto ida = replica_id("a", a);
  const auto idb = replica_id("b", b);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
  for (int i = 0; i < 2; ++i) ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("b")).status, 200u);
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("nope")).status, 404u);
  ASSERT_EQ(llmd.post("/v1/chat/completions", "{not json").status, 400u);
  ASSERT_EQ(llmd.get("/v1/models").status, 200u);
  // Probes, scrapes and admin pages are not the API's requests.
  ASSERT_EQ(llmd.get("/health").status, 200u);
  ASSERT_EQ(llmd.get("/admin/backends").status, 200u);
  metrics_of(llmd);

  const auto m = metrics_after(llmd, 8);
  EXPECT_EQ(m.value("llmd_requests_total", {{"model", "a"}, {"backend", ida}, {"status", "200"}, {"key", "none"}}), 3);
  EXPECT_EQ(m.value("llmd_requests_total", {{"model", "b"}, {"backend", idb}, {"status", "200"}, {"key", "none"}}), 2);
  EXPECT_EQ(m.value("llmd_requests_total", {{"model", "none"}, {"backend", "none"}, {"status", "404"}, {"key", "none"}}), 1);
  EXPECT_EQ(m.value("llmd_requests_total", {{"model", "none"}, {"backend", "none"}, {"status", "400"}, {"key", "none"}}), 1);
  EXPECT_EQ(m.value("llmd_requests_total", {{"model", "none"}, {"backend", "none"}, {"status", "200"}, {"key", "none"}}), 1);
  EXPECT_EQ(m.sum("llmd_requests_total"), 8);
  EXPECT_EQ(m.value("llmd_rejected_total", {{"reason", "unknown_model"}}), 1);
  EXPECT_EQ(m.value("llmd_rejected_total", {{"reason", "bad_request"}}), 1);
  EXPECT_EQ(m.sum("llmd_rejected_total"), 2);

  EXPECT_EQ(m.value("llmd_request_duration_seconds_count", {{"model", "a"}, {"backend", ida}}), 3);
  EXPECT_EQ(m.value("llmd_time_to_first_byte_seconds_count", {{"model", "b"}, {"backend", idb}}), 2);
  EXPECT_EQ(m.value("llmd_time_to_first_token_seconds_count", {{"model", "a"}, {"backend", ida}}), 0);
  EXPECT_EQ(m.value("llmd_overhead_seconds_count"), 8);
  EXPECT_EQ(m.value("llmd_retries_total"), 0);
  EXPECT_EQ(m.sum("llmd_fallbacks_total"), 0);

  EXPECT_EQ(m.value("llmd_inflight_requests", {{"backend", ida}}), 0);
  EXPECT_EQ(m.value("llmd_slots", {{"backend", ida}}), 3);
  EXPECT_EQ(m.value("llmd_slots", {{"backend", idb}}), 5);
  EXPECT_EQ(m.value("llmd_backend_up", {{"backend", ida}}), 1);
  EXPECT_EQ(m.value("llmd_queue_waiting"), 0);
  // Keep-alive: a's connection waits idle in the pool for the next request.
  EXPECT_GE(m.value("llmd_upstream_connections", {{"backend", ida}, {"state", "idle"}}), 1);
  EXPECT_EQ(m.value("llmd_upstream_connections", {{"backend", ida}, {"state", "active"}}), 0);
  EXPECT_EQ(m.value("llmd_config_reloads_total", {{"result", "success"}}), 0);
  EXPECT_GT(m.value("llmd_config_last_reload_success_timestamp_seconds"), 1.7e9);

  // What each mock saw agrees.
  EXPECT_EQ(a.stats()["requests"].get<int>(), 3);
  EXPECT_EQ(b.stats()["requests"].get<int>(), 2);
}

TEST(metrics, retries_and_fallbacks_count_each_move_with_its_reason) {
  mock failing("a", {"--status", "500"});
  mock b("b");
  gateway llmd(two_groups(failing, b, "    retries: 1\n    retry_backoff: 1ms\n    fallbacks: [b]\n"));
  const auto r = llmd.post("/v1/chat/completions", chat_body("a"));
  ASSERT_EQ(r.status, 200u);
  ASSERT_EQ(r.header("x-llmd-attempts"), "3");
  const auto m = metrics_after(llmd, 1);
  EXPECT_EQ(m.value("llmd_retries_total", {{"backend", replica_id("a", failing)}, {"reason", "status_5xx"}}), 1);
  EXPECT_EQ(m.sum("llmd_retries_total"), 1);
  EXPECT_EQ(m.value("llmd_fallbacks_total", {{"from", "a"}, {"to", "b"}, {"reason", "status_5xx"}}), 1);
  EXPECT_EQ(m.sum("llmd_fallbacks_total"), 1);
  // The request is counted once, for the group and replica that answered it.
  EXPECT_EQ(m.value("llmd_requests_total", {{"model", "b"}, {"backend", replica_id("b", b)}, {"status", "200"}, {"key", "none"}}), 1);
  EXPECT_EQ(m.sum("llmd_requests_total"), 1);
  EXPECT_EQ(failing.stats()["requests"].get<int>(), 2);
}

TEST(metrics, a_stream_observes_its_time_to_first_token) {
  mock a("a", {"--tokens", "3"});
  mock b("b");
  gateway llmd(two_groups(a, b));
  connection c(llmd.port());
  c.send("POST", "/v1/chat/completions", chat_body("a", true));
  ASSERT_EQ(c.read_header().status, 200u);
  while (c.read_piece()) {
  }
  const auto m = metrics_after(llmd, 1);
  const std::map<std::string, std::string> series{{"model", "a"}, {"backend", replica_id("a", a)}};
  EXPECT_EQ(m.value("llmd_time_to_first_token_seconds_count", series), 1);
  EXPECT_EQ(m.value("llmd_time_to_first_byte_seconds_count", series), 1);
  // The first event follows the header.
  EXPECT_GE(m.value("llmd_time_to_first_token_seconds_sum", series),
            m.value("llmd_time_to_first_byte_seconds_sum", series));
}

TEST(metrics, token_counters_add_the_usage_of_plain_and_streamed_answers) {
  mock a("a", {"--tokens", "7"});
  mock b("b", {"--tokens", "4"});
  gateway llmd(two_groups(a, b));
  const auto plain = llmd.post("/v1/chat/completions", chat_body("a"));
  const auto streamed = llmd.post("/v1/chat/completions", chat_stream_with_usage("b"));
  // A stream that was not asked for its usage has none to count.
  const auto without = llmd.post("/v1/chat/completions", chat_body("a", true));
  ASSERT_EQ(plain.status, 200u);
  ASSERT_EQ(streamed.status, 200u);
  ASSERT_EQ(without.status, 200u);
  const auto plain_usage = usage_of(plain.body);
  const auto streamed_usage = usage_of(streamed.body);
  ASSERT_EQ(plain_usage["completion_tokens"], 7) << plain.body;
  ASSERT_EQ(streamed_usage["completion_tokens"], 4) << streamed.body;
  ASSERT_TRUE(usage_of(without.body).is_null()) << without.body;

  const auto m = metrics_after(llmd, 3);
  const auto tokens = [&](const std::string& group, const mock& served, const std::string& kind) {
    return m.value("llmd_tokens_total", {{"model", group}, {"backend", replica_id(group, served)}, {"kind", kind}});
  };
  EXPECT_EQ(tokens("a", a, "prompt"), plain_usage["prompt_tokens"].get<double>());
  EXPECT_EQ(tokens("a", a, "completion"), 7);
  EXPECT_EQ(tokens("b", b, "prompt"), streamed_usage["prompt_tokens"].get<double>());
  EXPECT_EQ(tokens("b", b, "completion"), 4);
  EXPECT_EQ(m.sum("llmd_tokens_total"), plain_usage["total_tokens"].get<double>() +
                                            streamed_usage["total_tokens"].get<double>());
}

// Label values of the families whose labels could name what a client asked for.
std::set<std::string> named_values(const scrape& m) {
  std::set<std::string> out;
  for (const auto& s : m.samples()) {
    for (const auto& [k, v] : s.labels) {
      if (k == "model" || k == "backend" || k == "from" || k == "to") out.insert(v);
    }
  }
  return out;
}

TEST(metrics, a_client_sending_random_models_and_paths_adds_no_label_value) {
  mock a("a");
  mock b("b");
  gateway llmd("default_model: null\n" + two_groups(a, b));
  const auto batch = [&](int round) {
    for (int i = 0; i < 20; ++i) {
      const auto junk = "zz" + std::to_string(round) + "x" + std::to_string(i);
      llmd.post("/v1/chat/completions", chat_body(junk));
      llmd.post("/v1/" + junk, chat_body("a"));
      llmd.get("/" + junk);
    }
  };
  batch(1);
  const auto first = metrics_after(llmd, 60);
  batch(2);
  const auto second = metrics_after(llmd, 120);
  EXPECT_EQ(second.samples().size(), first.samples().size());
  const std::set<std::string> allowed{"a", "b", "none", replica_id("a", a), replica_id("b", b)};
  EXPECT_EQ(named_values(second), allowed);
  for (const auto& s : second.samples()) {
    for (const auto& [k, v] : s.labels) EXPECT_EQ(v.find("zz"), std::string::npos) << s.name << " " << k << "=" << v;
  }
}

}  // namespace
}  // namespace llmd::test
