// cors.allow_origins: a browser's preflight is answered without a key, and every response to an
// allowed origin names it (errors and streams included); other origins, and every origin without
// `cors`, get no CORS headers and 403 for a preflight.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using nlohmann::json;

constexpr const char* app = "https://app.example.com";
constexpr const char* stranger = "https://evil.example.com";
// In tests/integration/secrets.txt, so no log of the suite may carry it.
constexpr const char* key = "sk-llmd-cors-key-for-tests";

headers from(const std::string& origin, bool with_key = true) {
  headers h{{"Origin", origin}};
  if (with_key) h.emplace_back("Authorization", std::string("Bearer ") + key);
  return h;
}

response preflight(unsigned short port, const std::string& origin) {
  connection c(port);
  c.send("OPTIONS", "/v1/chat/completions", "",
         {{"Origin", origin},
          {"Access-Control-Request-Method", "POST"},
          {"Access-Control-Request-Headers", "authorization, content-type, x-stainless-os"}});
  return c.read_response();
}

std::string with_cors(const mock& m, const std::string& origins) {
  return "cors:\n  allow_origins: " + origins + "\nauth:\n  keys:\n    - {key: " + key + ", name: web}\nmodels:\n" +
         model_entry("m", m);
}

TEST(cors, a_preflight_from_an_allowed_origin_is_answered_without_a_key) {
  mock m("m");
  gateway llmd(with_cors(m, std::string("[\"") + app + "\"]"));
  const auto r = preflight(llmd.port(), app);
  EXPECT_EQ(r.status, 204u) << r.body;
  EXPECT_EQ(r.header("access-control-allow-origin"), app);
  EXPECT_EQ(r.header("access-control-allow-methods"), "GET, POST, HEAD, OPTIONS");
  EXPECT_EQ(r.header("access-control-allow-headers"), "authorization, content-type, x-stainless-os");
  EXPECT_EQ(r.header("access-control-max-age"), "600");
  EXPECT_NE(r.header("vary").find("Origin"), std::string::npos);
  const auto refused = preflight(llmd.port(), stranger);
  EXPECT_EQ(refused.status, 403u);
  EXPECT_FALSE(refused.has("access-control-allow-origin"));
  EXPECT_EQ(m.stats()["requests"], 0);
}

TEST(cors, every_answer_to_an_allowed_origin_names_it_errors_and_streams_included) {
  mock m("m");
  gateway llmd(with_cors(m, std::string("[\"") + app + "\"]"));
  const auto answered = llmd.post("/v1/chat/completions", chat_body("m"), from(app));
  EXPECT_EQ(answered.status, 200u);
  EXPECT_EQ(answered.header("access-control-allow-origin"), app);
  const auto streamed = llmd.post("/v1/chat/completions", chat_body("m", true), from(app));
  EXPECT_EQ(streamed.status, 200u);
  EXPECT_EQ(streamed.header("access-control-allow-origin"), app);
  const auto no_key = llmd.post("/v1/chat/completions", chat_body("m"), from(app, false));
  EXPECT_EQ(no_key.status, 401u);
  EXPECT_EQ(no_key.header("access-control-allow-origin"), app);
  const auto bad_body = llmd.post("/v1/chat/completions", "{", from(app));
  EXPECT_EQ(bad_body.status, 400u);
  EXPECT_EQ(bad_body.header("access-control-allow-origin"), app);
  EXPECT_EQ(llmd.get("/v1/models", from(app)).header("access-control-allow-origin"), app);
  // Another origin is served (the key guards the API) but a browser may not read the answer.
  const auto other = llmd.post("/v1/chat/completions", chat_body("m"), from(stranger));
  EXPECT_EQ(other.status, 200u);
  EXPECT_FALSE(other.has("access-control-allow-origin"));
}

TEST(cors, a_star_allows_every_origin) {
  mock m("m");
  gateway llmd(with_cors(m, "\"*\""));
  EXPECT_EQ(preflight(llmd.port(), stranger).status, 204u);
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), from(stranger)).header("access-control-allow-origin"),
            stranger);
}

TEST(cors, without_it_there_are_no_cors_headers_and_preflights_get_403) {
  mock m("m");
  gateway llmd("models:\n" + model_entry("m", m));
  const auto r = preflight(llmd.port(), app);
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "origin_not_allowed");
  const auto answered = llmd.post("/v1/chat/completions", chat_body("m"), {{"Origin", app}});
  EXPECT_EQ(answered.status, 200u);
  EXPECT_FALSE(answered.has("access-control-allow-origin"));
  // A plain OPTIONS, not a preflight, is a method the route does not take.
  const auto options = call(llmd.port(), "OPTIONS", "/v1/chat/completions");
  EXPECT_EQ(options.status, 405u);
  EXPECT_EQ(options.header("allow"), "POST");
}

}  // namespace
}  // namespace llmd::test
