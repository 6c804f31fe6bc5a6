// admin.key and admin.listen: the admin surface (/admin/*, /metrics, the status page) open
// without a key, behind it with one (as a bearer token or a Basic password), and on its own
// address with admin.listen; /health, /ready and the API stay where they were, open.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using nlohmann::json;

// In tests/integration/secrets.txt, with the Basic credentials below, so no log may carry them.
constexpr const char* admin_key = "adm1n-k3y-for-tests";
const std::string key_env = std::string("LLMD_ADMIN_KEY=") + admin_key;

const headers bearer{{"Authorization", std::string("Bearer ") + admin_key}};
const headers basic{{"Authorization", "Basic b3BzOmFkbTFuLWszeS1mb3ItdGVzdHM="}};  // "ops:adm1n-k3y-for-tests"
const headers wrong_bearer{{"Authorization", "Bearer wrong-key"}};
const headers wrong_basic{{"Authorization", "Basic b3BzOndyb25nLWtleQ=="}};  // "ops:wrong-key"
const headers key_without_scheme{{"Authorization", admin_key}};

const std::vector<std::string> admin_targets{"/metrics", "/admin/backends", "/", "/status"};

std::string config_with(const mock& m, const std::string& admin) { return admin + "models:\n" + model_entry("m", m); }

// What the API answers for a path it does not serve.
void expect_unknown_url(const response& r, const std::string& what) {
  EXPECT_EQ(r.status, 404u) << what;
  EXPECT_FALSE(r.has("www-authenticate")) << what;
  const auto body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(body["error"]["code"], "unknown_url") << what << ": " << r.body;
  EXPECT_EQ(body["error"]["type"], "invalid_request_error") << what << ": " << r.body;
}

void expect_unauthorized(const response& r, const std::string& what) {
  EXPECT_EQ(r.status, 401u) << what;
  EXPECT_EQ(r.header("www-authenticate"), R"(Basic realm="llm-d admin", charset="UTF-8")") << what;
  EXPECT_EQ(r.header("content-type"), "application/json") << what;
  const auto body = json::parse(r.body, nullptr, false);
  EXPECT_EQ(body["error"]["type"], "invalid_request_error") << what << ": " << r.body;
  EXPECT_EQ(body["error"]["code"], "invalid_admin_key") << what << ": " << r.body;
  EXPECT_EQ(r.body.find(admin_key), std::string::npos) << what;
}

void expect_open_probes_and_api(unsigned short port) {
  EXPECT_EQ(call(port, "GET", "/health").status, 200u);
  EXPECT_EQ(call(port, "GET", "/ready").status, 200u);
  EXPECT_EQ(call(port, "GET", "/v1/models").status, 200u);
  EXPECT_EQ(call(port, "POST", "/v1/chat/completions", chat_body("m")).status, 200u);
}

TEST(admin_key, without_one_the_admin_routes_are_open_to_anyone) {
  mock m("m");
  gateway llmd(config_with(m, ""));
  for (const auto& target : admin_targets) {
    const auto r = llmd.get(target);
    EXPECT_EQ(r.status, 200u) << target;
    EXPECT_FALSE(r.has("www-authenticate")) << target;
    EXPECT_EQ(llmd.get(target, wrong_bearer).status, 200u) << target;
  }
}

TEST(admin_key, the_admin_routes_answer_401_with_a_basic_challenge_without_the_key_or_with_another) {
  mock m("m");
  gateway llmd(config_with(m, "admin:\n  key: ${LLMD_ADMIN_KEY}\n"), {}, {key_env});
  for (const auto& target : admin_targets) {
    expect_unauthorized(llmd.get(target), target + " without credentials");
    expect_unauthorized(llmd.get(target, wrong_bearer), target + " with another bearer token");
    expect_unauthorized(llmd.get(target, wrong_basic), target + " with another Basic password");
    expect_unauthorized(llmd.get(target, key_without_scheme), target + " with the key but no scheme");
  }
  // Before the method is looked at, and for admin paths that do not exist.
  expect_unauthorized(call(llmd.port(), "POST", "/metrics", "{}"), "POST /metrics");
  expect_unauthorized(llmd.get("/admin/nothing-here"), "/admin/nothing-here");
}

TEST(admin_key, the_admin_routes_answer_the_key_as_a_bearer_token_and_as_a_basic_password) {
  mock m("m");
  gateway llmd(config_with(m, "admin:\n  key: ${LLMD_ADMIN_KEY}\n"), {}, {key_env});
  for (const auto& credentials : {bearer, basic}) {
    const auto scheme = credentials.front().second.substr(0, 6);
    for (const auto& target : admin_targets) {
      const auto r = llmd.get(target, credentials);
      EXPECT_EQ(r.status, 200u) << target << " " << scheme << ": " << r.body;
      EXPECT_EQ(r.body.find(admin_key), std::string::npos) << target;
    }
    expect_unknown_url(llmd.get("/admin/nothing-here", credentials), "/admin/nothing-here " + scheme);
  }
  EXPECT_EQ(call(llmd.port(), "POST", "/metrics", "{}", bearer).status, 405u);
}

TEST(admin_key, leaves_health_ready_and_the_api_open) {
  mock m("m");
  gateway llmd(config_with(m, "admin:\n  key: ${LLMD_ADMIN_KEY}\n"), {}, {key_env});
  expect_open_probes_and_api(llmd.port());
  expect_unknown_url(llmd.get("/nowhere"), "/nowhere");
}

TEST(admin_listen, serves_the_admin_routes_and_probes_on_its_own_address_and_not_the_api) {
  mock m("m");
  gateway llmd(config_with(m, "admin:\n  listen: 127.0.0.1:0\n"));
  const auto admin_port = llmd.admin_port();
  ASSERT_NE(admin_port, llmd.port());
  for (const auto& target : admin_targets) {
    EXPECT_EQ(call(admin_port, "GET", target).status, 200u) << target;
  }
  EXPECT_EQ(call(admin_port, "GET", "/health").status, 200u);
  EXPECT_EQ(call(admin_port, "GET", "/ready").status, 200u);
  expect_unknown_url(call(admin_port, "GET", "/v1/models"), "/v1/models on the admin port");
  expect_unknown_url(call(admin_port, "POST", "/v1/chat/completions", chat_body("m")),
                     "/v1/chat/completions on the admin port");
  EXPECT_EQ(m.stats()["requests"], 0) << m.stats();
}

TEST(admin_listen, the_api_address_answers_404_for_the_admin_routes_as_for_an_unknown_path) {
  mock m("m");
  gateway llmd(config_with(m, "admin:\n  listen: 127.0.0.1:0\n"));
  const auto unknown = llmd.get("/nowhere");
  for (const auto& target : admin_targets) {
    const auto r = llmd.get(target);
    expect_unknown_url(r, target + " on the API port");
    EXPECT_EQ(json::parse(r.body)["error"]["message"], "Invalid URL (GET " + target + ")");
  }
  expect_unknown_url(llmd.get("/admin/nothing-here"), "/admin/nothing-here on the API port");
  expect_open_probes_and_api(llmd.port());
}

TEST(admin_listen, with_a_key_the_admin_address_asks_for_it_and_the_api_address_still_answers_404) {
  mock m("m");
  gateway llmd(config_with(m, "admin:\n  key: ${LLMD_ADMIN_KEY}\n  listen: 127.0.0.1:0\n"), {}, {key_env});
  const auto admin_port = llmd.admin_port();
  for (const auto& target : admin_targets) {
    expect_unauthorized(call(admin_port, "GET", target), target + " on the admin port without credentials");
    EXPECT_EQ(call(admin_port, "GET", target, "", bearer).status, 200u) << target;
    EXPECT_EQ(call(admin_port, "GET", target, "", basic).status, 200u) << target;
    expect_unknown_url(llmd.get(target, bearer), target + " on the API port with the key");
  }
  EXPECT_EQ(call(admin_port, "GET", "/health").status, 200u);
  EXPECT_EQ(call(admin_port, "GET", "/ready").status, 200u);
  expect_open_probes_and_api(llmd.port());
}

TEST(admin_key, a_reload_changes_it_at_once) {
  mock m("m");
  // In secrets.txt too.
  const std::string next_key = "n3w-adm1n-k3y-after-reload";
  gateway llmd(config_with(m, "admin:\n  key: ${LLMD_ADMIN_KEY}\n"), {},
               {key_env, "LLMD_NEXT_ADMIN_KEY=" + next_key});
  ASSERT_EQ(llmd.get("/metrics", bearer).status, 200u);
  llmd.reload(config_with(m, "admin:\n  key: ${LLMD_NEXT_ADMIN_KEY}\n"));
  const headers next{{"Authorization", "Bearer " + next_key}};
  ASSERT_TRUE(eventually([&] { return llmd.get("/metrics", next).status == 200; }, std::chrono::seconds(10),
                         "the new key taken"));
  EXPECT_EQ(llmd.get("/metrics", bearer).status, 401u);
  EXPECT_EQ(llmd.get("/admin/backends", next).status, 200u);
}

}  // namespace
}  // namespace llmd::test
