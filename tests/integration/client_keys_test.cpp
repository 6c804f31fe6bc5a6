// auth.keys: only the clients llm-d knows get in (401 before their body is read otherwise), each
// to the groups its key names (403 elsewhere) and within its rpm and tpm (429 past them); the key
// never goes upstream, and logs and metrics show its name, never its value.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// In tests/integration/secrets.txt, so no log of the suite may carry them.
constexpr const char* team_key = "sk-llmd-team-key-for-tests";
constexpr const char* ci_key = "sk-llmd-ci-key-for-tests";
const std::string keys_env = std::string("TEAM_KEY=") + team_key;

headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

std::string keys_config(const std::string& team_extra = "", const std::string& ci_extra = "") {
  return "auth:\n  keys:\n"
         "    - {key: \"${TEAM_KEY}\", name: team" + team_extra + "}\n"
         "    - {key: " + std::string(ci_key) + ", name: ci" + ci_extra + "}\n";
}

void expect_error(const response& r, unsigned status, const std::string& code, const std::string& what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  const auto body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << what << ": " << r.body;
  EXPECT_EQ(body["error"]["code"], code) << what << ": " << r.body;
  EXPECT_TRUE(body["error"]["message"].is_string()) << what;
  EXPECT_EQ(r.body.find(team_key), std::string::npos) << what;
  EXPECT_EQ(r.body.find(ci_key), std::string::npos) << what;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::set<std::string> model_ids(const gateway& llmd, const headers& h) {
  std::set<std::string> ids;
  const auto list = json::parse(llmd.get("/v1/models", h).body);
  for (const auto& m : list["data"]) ids.insert(m["id"].get<std::string>());
  return ids;
}

TEST(client_keys, without_a_known_bearer_key_every_api_route_answers_401_and_no_backend_is_asked) {
  mock m("m");
  gateway llmd(keys_config() + "models:\n" + model_entry("m", m), {}, {keys_env});
  const std::vector<std::pair<std::string, headers>> strangers{
      {"no Authorization", {}},
      {"another key", bearer("sk-not-a-key-of-ours")},
      {"the key without a scheme", {{"Authorization", team_key}}},
      {"the key as Basic", {{"Authorization", std::string("Basic ") + team_key}}},
      {"an empty bearer", {{"Authorization", "Bearer "}}},
  };
  for (const auto& [what, h] : strangers) {
    expect_error(llmd.post("/v1/chat/completions", chat_body("m"), h), 401, "invalid_api_key", what);
    expect_error(llmd.get("/v1/models", h), 401, "invalid_api_key", what + ", /v1/models");
    expect_error(llmd.get("/v1/models/m", h), 401, "invalid_api_key", what + ", /v1/models/m");
    expect_error(llmd.get("/nowhere", h), 401, "invalid_api_key", what + ", an unknown path");
  }
  EXPECT_EQ(m.stats()["requests"], 0);
  // Probes stay open, and a known key is served at once.
  EXPECT_EQ(llmd.get("/health").status, 200u);
  EXPECT_EQ(llmd.get("/ready").status, 200u);
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u);
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(ci_key)).status, 200u);
  EXPECT_EQ(m.stats()["requests"], 2);
}

TEST(client_keys, a_stranger_is_answered_from_the_head_without_waiting_for_the_body) {
  mock m("m");
  gateway llmd(keys_config() + "models:\n" + model_entry("m", m), {}, {keys_env});
  connection c(llmd.port(), 10s);
  // A body announced and never sent: the 401 cannot have waited for it.
  c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 1000000\r\n\r\n");
  const auto r = c.read_response();
  expect_error(r, 401, "invalid_api_key", "a head alone");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(c.read_until_close(), "");
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u);
}

TEST(client_keys, a_clients_key_never_reaches_the_backend) {
  mock m("m");
  gateway llmd(keys_config() + "models:\n" + model_entry("m", m), {}, {keys_env});
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u);
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0]["headers"].contains("authorization")) << seen[0]["headers"].dump();
  EXPECT_EQ(seen[0]["headers"].dump().find(team_key), std::string::npos);
}

TEST(client_keys, a_key_uses_only_its_groups_and_lists_only_them) {
  mock a("a");
  mock b("b");
  gateway llmd(keys_config(", models: [a]") + "default_model: b\nmodels:\n" + model_entry("a", a) +
                   model_entry("b", b, "    model: b-upstream\n"),
               {}, {keys_env});
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("a"), bearer(team_key)).status, 200u);
  expect_error(llmd.post("/v1/chat/completions", chat_body("b"), bearer(team_key)), 403, "model_not_allowed", "b");
  // b's upstream id, and a model that lands on default_model (b), are b.
  expect_error(llmd.post("/v1/chat/completions", chat_body("b-upstream"), bearer(team_key)), 403, "model_not_allowed",
               "b's upstream id");
  expect_error(llmd.post("/v1/chat/completions", chat_body("gpt-4o"), bearer(team_key)), 403, "model_not_allowed",
               "the default model");
  EXPECT_EQ(model_ids(llmd, bearer(team_key)), std::set<std::string>{"a"});
  EXPECT_EQ(llmd.get("/v1/models/a", bearer(team_key)).status, 200u);
  expect_error(llmd.get("/v1/models/b", bearer(team_key)), 404, "model_not_found", "/v1/models/b");
  // A key without `models` has them all.
  EXPECT_EQ(model_ids(llmd, bearer(ci_key)), (std::set<std::string>{"a", "b", "b-upstream"}));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("b"), bearer(ci_key)).status, 200u);
  EXPECT_EQ(b.stats()["requests"], 1);
}

TEST(client_keys, the_chains_fallbacks_serve_a_key_that_may_use_only_its_first_group) {
  mock a("a", {"--status", "503"});
  mock b("b");
  gateway llmd(keys_config(", models: [a]") + "models:\n" + model_entry("a", a, "    fallbacks: [b]\n    retries: 0\n") +
                   model_entry("b", b),
               {}, {keys_env});
  const auto r = llmd.post("/v1/chat/completions", chat_body("a"), bearer(team_key));
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(b.stats()["requests"], 1);
}

TEST(client_keys, past_its_rpm_a_key_gets_429_with_retry_after_and_other_keys_go_on) {
  mock m("m");
  gateway llmd(keys_config(", rpm: 3") + "models:\n" + model_entry("m", m), {}, {keys_env});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u) << i;
  }
  const auto over = llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key));
  expect_error(over, 429, "rate_limit_exceeded", "the fourth request");
  EXPECT_EQ(json::parse(over.body)["error"]["type"], "requests");
  // 3 a minute: the next one is back in 20 s.
  const int after = std::stoi(over.header("retry-after"));
  EXPECT_GE(after, 1);
  EXPECT_LE(after, 20);
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(ci_key)).status, 200u);
  EXPECT_EQ(m.stats()["requests"], 4);
}

TEST(client_keys, past_its_tpm_a_key_gets_429_until_the_tokens_it_used_are_back) {
  mock m("m", {"--tokens", "16"});
  gateway llmd(keys_config(", tpm: 30") + "models:\n" + model_entry("m", m), {}, {keys_env});
  // Each answer uses 16 completion tokens and 1 prompt token: 30 a minute lets two through.
  for (int i = 1; i <= 2; ++i) {
    ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u);
    // The tokens are taken once the answer has gone, just before the metrics count them.
    ASSERT_TRUE(eventually([&] { return scrape(llmd.get("/metrics").body).sum("llmd_tokens_total") >= 17 * i; }, 10s,
                           "the answer's tokens counted"));
  }
  const auto over = llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key));
  expect_error(over, 429, "rate_limit_exceeded", "the third request");
  EXPECT_EQ(json::parse(over.body)["error"]["type"], "tokens");
  EXPECT_GE(std::stoi(over.header("retry-after")), 1);
  EXPECT_EQ(m.stats()["requests"], 2);
}

// Whether a stream's body holds an event with "choices":[], the usage-only one.
bool has_usage_event(const std::string& body) { return body.find(R"("choices":[])") != std::string::npos; }

TEST(client_keys, a_streams_tokens_count_against_tpm_and_only_a_client_that_asked_sees_its_usage_event) {
  mock m("m", {"--tokens", "16", "--token-interval", "0"});
  gateway llmd(keys_config(", tpm: 30") + "models:\n" + model_entry("m", m), {}, {keys_env});
  const auto asked = llmd.post("/v1/chat/completions", chat_stream_with_usage("m"), bearer(team_key));
  ASSERT_EQ(asked.status, 200u);
  EXPECT_TRUE(has_usage_event(asked.body)) << asked.body;
  ASSERT_TRUE(eventually([&] { return scrape(llmd.get("/metrics").body).sum("llmd_tokens_total") >= 17; }, 10s,
                         "the first stream's tokens counted"));

  const auto plain = llmd.post("/v1/chat/completions", chat_body("m", true), bearer(team_key));
  ASSERT_EQ(plain.status, 200u);
  EXPECT_FALSE(has_usage_event(plain.body)) << plain.body;
  EXPECT_TRUE(plain.body.ends_with("data: [DONE]\n\n")) << plain.body;
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 2u);
  const auto sent = json::parse(seen[1]["body"].get<std::string>());
  EXPECT_EQ(sent["stream_options"], (json{{"include_usage", true}})) << sent.dump();
  EXPECT_EQ(sent["model"], "m");
  ASSERT_TRUE(eventually([&] { return scrape(llmd.get("/metrics").body).sum("llmd_tokens_total") >= 34; }, 10s,
                         "the second stream's tokens counted"));

  expect_error(llmd.post("/v1/chat/completions", chat_body("m", true), bearer(team_key)), 429, "rate_limit_exceeded",
               "a third stream");
}

TEST(client_keys, logs_and_metrics_name_the_key_and_never_show_it) {
  mock m("m");
  temp_dir dir;
  const auto log = dir.path() + "/access.log";
  gateway llmd(keys_config() + "models:\n" + model_entry("m", m), {"--access-log", log, "--log-format", "json"},
               {keys_env});
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u);
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer("sk-wrong")).status, 401u);
  // Counted once the answers have gone.
  ASSERT_TRUE(eventually([&] { return scrape(llmd.get("/metrics").body).sum("llmd_requests_total") >= 2; }, 10s,
                         "both requests counted"));
  const auto metrics = scrape(llmd.get("/metrics").body);
  EXPECT_EQ(metrics.value("llmd_requests_total",
                          {{"model", "m"}, {"backend", replica_id("m", m)}, {"status", "200"}, {"key", "team"}}),
            1);
  EXPECT_EQ(metrics.value("llmd_requests_total",
                          {{"model", "none"}, {"backend", "none"}, {"status", "401"}, {"key", "none"}}),
            1);
  EXPECT_EQ(metrics.value("llmd_rejected_total", {{"reason", "unauthorized"}}), 1);
  // Each worker writes its own lines: the two may come in either order.
  ASSERT_TRUE(eventually(
      [&] {
        const auto lines = read_file(log);
        return lines.find("\"status\":401") != std::string::npos && lines.find("\"key\":\"team\"") != std::string::npos;
      },
      10s, "the 401's line, and the 200's naming its key"));
  const auto lines = read_file(log);
  EXPECT_EQ(lines.find(team_key), std::string::npos) << lines;
}

TEST(client_keys, reload_with_the_config_and_a_key_keeps_its_quota_across_it) {
  mock m("m");
  gateway llmd(keys_config(", rpm: 2") + "models:\n" + model_entry("m", m), {}, {keys_env});
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u);
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)).status, 200u);
  // ci's key goes, another comes; team's bucket stays empty.
  llmd.reload("auth:\n  keys:\n    - {key: \"${TEAM_KEY}\", name: team, rpm: 2}\n"
              "    - {key: sk-llmd-new-key-for-tests, name: new}\nmodels:\n" +
              model_entry("m", m));
  ASSERT_TRUE(eventually(
      [&] { return llmd.post("/v1/chat/completions", chat_body("m"), bearer("sk-llmd-new-key-for-tests")).status == 200u; },
      10s, "the new key to be taken"));
  expect_error(llmd.post("/v1/chat/completions", chat_body("m"), bearer(ci_key)), 401, "invalid_api_key", "ci's key");
  expect_error(llmd.post("/v1/chat/completions", chat_body("m"), bearer(team_key)), 429, "rate_limit_exceeded",
               "team, its bucket empty before the reload");
}

TEST(client_keys, their_absence_is_said_once_at_start) {
  mock m("m");
  gateway open("models:\n" + model_entry("m", m));
  gateway closed(keys_config() + "models:\n" + model_entry("m", m), {}, {keys_env});
  const auto said = [](gateway& g, const std::string& text) {
    const auto log = g.proc().log();
    std::size_t n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(said(open, "the API is open to anyone"), 1u) << open.proc().log();
  EXPECT_EQ(said(closed, "the API is open to anyone"), 0u) << closed.proc().log();
  EXPECT_EQ(said(closed, "the API asks for one of 2 client key(s)"), 1u) << closed.proc().log();
}

TEST(client_keys, do_not_open_the_admin_routes) {
  mock m("m");
  gateway llmd("admin: {key: adm1n-k3y-for-tests}\n" + keys_config() + "models:\n" + model_entry("m", m), {},
               {keys_env});
  const auto r = llmd.get("/admin/backends", bearer(team_key));
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_admin_key");
  EXPECT_EQ(llmd.get("/admin/backends", bearer("adm1n-k3y-for-tests")).status, 200u);
}

}  // namespace
}  // namespace llmd::test
