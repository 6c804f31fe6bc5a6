// A request moves down its chain when a group cannot answer before the commit point.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using nlohmann::json;

// Retries within a group are resilience_test's subject: here each group gets one attempt.
std::string two_groups(const std::string& first, const std::string& second, int first_slots = 4) {
  return "defaults:\n"
         "  retries: 0\n"
         "models:\n"
         "  - name: primary\n"
         "    endpoint: " + first + "\n"
         "    max_concurrent: " + std::to_string(first_slots) + "\n"
         "  - name: fallback\n"
         "    endpoint: " + second + "\n";
}

TEST(fallback, connection_refused_goes_to_the_next_group) {
  refusing_port dead;
  mock fallback("fallback");
  gateway llmd(two_groups(dead.endpoint(), fallback.endpoint()));
  const auto r = llmd.post("/v1/chat/completions", chat_body("primary"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("fallback", fallback));
  EXPECT_EQ(r.header("x-llmd-attempts"), "2");
  EXPECT_EQ(fallback.stats()["requests"], 1);
}

TEST(fallback, status_500_goes_to_the_next_group) {
  mock primary("primary", {"--status", "500"});
  mock fallback("fallback");
  gateway llmd(two_groups(primary.endpoint(), fallback.endpoint()));
  const auto r = llmd.post("/v1/chat/completions", chat_body("primary", true));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("fallback", fallback));
  EXPECT_NE(r.body.find("[fallback]"), std::string::npos);
  EXPECT_EQ(primary.stats()["requests"], 1);
  EXPECT_EQ(fallback.stats()["requests"], 1);
}

TEST(fallback, rate_limited_and_unavailable_go_to_the_next_group) {
  for (const char* status : {"429", "503", "502", "408"}) {
    mock primary("primary", {"--status", status});
    mock fallback("fallback");
    gateway llmd(two_groups(primary.endpoint(), fallback.endpoint()));
    const auto r = llmd.post("/v1/chat/completions", chat_body("primary"));
    EXPECT_EQ(r.status, 200u) << status << ": " << r.body;
    EXPECT_EQ(r.header("x-llmd-backend"), replica_id("fallback", fallback)) << status;
  }
}

TEST(fallback, client_errors_pass_through_untouched_and_are_not_retried) {
  mock primary("primary", {"--status", "400"});
  mock fallback("fallback");
  gateway llmd(two_groups(primary.endpoint(), fallback.endpoint()));
  const auto r = llmd.post("/v1/chat/completions", chat_body("primary"));
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("primary", primary));
  EXPECT_TRUE(json::parse(r.body).contains("error"));
  EXPECT_EQ(primary.stats()["requests"], 1);
  EXPECT_EQ(fallback.stats()["requests"], 0);
}

TEST(fallback, full_slots_send_the_overflow_to_the_next_group) {
  // primary holds one request at a time and answers slowly; the second request finds it full.
  mock primary("primary", {"--delay", "1500ms"});
  mock fallback("fallback");
  gateway llmd(two_groups(primary.endpoint(), fallback.endpoint(), 1));
  response first;
  std::thread slow([&] { first = llmd.post("/v1/chat/completions", chat_body("primary")); });
  EXPECT_TRUE(eventually([&] { return primary.stats()["in_flight"] == 1; }, std::chrono::seconds(10),
                         "the first request reaching primary"));
  const auto second = llmd.post("/v1/chat/completions", chat_body("primary"));
  slow.join();
  EXPECT_EQ(second.status, 200u);
  EXPECT_EQ(second.header("x-llmd-backend"), replica_id("fallback", fallback));
  EXPECT_EQ(second.header("x-llmd-attempts"), "1");
  EXPECT_EQ(first.header("x-llmd-backend"), replica_id("primary", primary));
  EXPECT_EQ(primary.stats()["max_in_flight"], 1);
}

TEST(fallback, declared_fallbacks_replace_file_order) {
  mock a("a", {"--status", "500"});
  mock b("b");
  mock c("c");
  gateway llmd("models:\n"
               "  - name: a\n    endpoint: " + a.endpoint() + "\n    fallbacks: [c]\n"
               "  - name: b\n    endpoint: " + b.endpoint() + "\n"
               "  - name: c\n    endpoint: " + c.endpoint() + "\n");
  const auto r = llmd.post("/v1/chat/completions", chat_body("a"));
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("c", c));
  EXPECT_EQ(b.stats()["requests"], 0);
}

TEST(fallback, every_group_failing_gives_502_naming_each) {
  refusing_port dead;
  mock broken("broken", {"--status", "500"});
  gateway llmd(two_groups(dead.endpoint(), broken.endpoint()));
  const auto r = llmd.post("/v1/chat/completions", chat_body("primary"));
  ASSERT_EQ(r.status, 502u);
  const auto error = json::parse(r.body)["error"];
  EXPECT_EQ(error["type"], "api_error");
  EXPECT_EQ(error["code"], "upstream_unavailable");
  const auto message = error["message"].get<std::string>();
  EXPECT_NE(message.find(replica_id("primary", dead) + ": connection failed"), std::string::npos) << message;
  EXPECT_NE(message.find(replica_id("fallback", broken) + ": server error status 500"), std::string::npos) << message;
  EXPECT_EQ(r.header("x-llmd-attempts"), "2");
}

TEST(fallback, every_group_timing_out_gives_504) {
  mock slow("slow", {"--hang"});
  gateway llmd("models:\n"
               "  - name: only\n"
               "    endpoint: " + slow.endpoint() + "\n"
               "    retries: 0\n"
               "    first_byte_timeout: 300ms\n");
  const auto r = llmd.post("/v1/chat/completions", chat_body("only"));
  ASSERT_EQ(r.status, 504u) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"]["type"], "timeout_error");
  // The hung request was abandoned: the mock saw its client go away.
  EXPECT_TRUE(eventually([&] { return slow.stats()["in_flight"] == 0; }, std::chrono::seconds(5),
                         "the mock seeing the abandoned request end"));
}

TEST(fallback, entry_model_and_api_key_rewrite_what_goes_upstream) {
  mock upstream("cloud");
  gateway llmd("models:\n"
               "  - name: smart\n"
               "    endpoint: " + upstream.endpoint() + "\n"
               "    model: org/real-model-id\n"
               "    api_key: sk-secret-value\n"
               "    headers:\n"
               "      x-team: research\n");
  const auto r = llmd.post("/v1/chat/completions", chat_body("smart"),
                           {{"Authorization", "Bearer client-token"}, {"Connection", "keep-alive, x-drop-me"},
                            {"x-drop-me", "1"}, {"x-keep-me", "2"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json::parse(r.body)["model"], "org/real-model-id");
  const auto seen = upstream.requests()[0];
  EXPECT_EQ(json::parse(seen["body"].get<std::string>())["model"], "org/real-model-id");
  const auto& h = seen["headers"];
  EXPECT_EQ(h["authorization"], "Bearer sk-secret-value");
  EXPECT_EQ(h["x-team"], "research");
  EXPECT_EQ(h["x-keep-me"], "2");
  EXPECT_FALSE(h.contains("x-drop-me"));
  EXPECT_EQ(r.body.find("sk-secret-value"), std::string::npos);
  EXPECT_EQ(llmd.proc().log().find("sk-secret-value"), std::string::npos);
}

TEST(fallback, client_authorization_is_forwarded_to_entries_without_a_key) {
  mock upstream("open");
  gateway llmd("models:\n  - name: m\n    endpoint: " + upstream.endpoint() + "\n");
  llmd.post("/v1/chat/completions", chat_body("m"), {{"Authorization", "Bearer client-token"}});
  EXPECT_EQ(upstream.requests()[0]["headers"]["authorization"], "Bearer client-token");
}

}  // namespace
}  // namespace llmd::test
