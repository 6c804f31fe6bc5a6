// Bad input gets a clear OpenAI-shaped error, and the daemon keeps serving.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using nlohmann::json;

class bad_input : public testing::Test {
 protected:
  mock upstream{"m"};
  gateway llmd{"models:\n  - name: m\n    endpoint: " + upstream.endpoint() +
               "\ndefault_model: null\nlimits:\n  max_body_size: 4KiB\n"};

  void expect_error(const response& r, unsigned status, const std::string& type, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto error = json::parse(r.body)["error"];
    EXPECT_EQ(error["type"], type) << r.body;
    EXPECT_EQ(error["code"], code) << r.body;
    EXPECT_TRUE(error["message"].is_string());
    EXPECT_TRUE(error.contains("param"));
  }

  void TearDown() override {
    // Whatever came before, the daemon still answers and nothing reached the backend.
    EXPECT_EQ(llmd.get("/health").status, 200u);
    EXPECT_EQ(upstream.stats()["requests"], 0);
  }
};

TEST_F(bad_input, malformed_json_is_400) {
  expect_error(llmd.post("/v1/chat/completions", R"({"model": "m", )"), 400, "invalid_request_error", "invalid_json");
  expect_error(llmd.post("/v1/chat/completions", "[1,2]"), 400, "invalid_request_error", "invalid_json");
}

TEST_F(bad_input, missing_or_non_string_model_is_400) {
  expect_error(llmd.post("/v1/chat/completions", R"({"messages": []})"), 400, "invalid_request_error",
               "missing_model");
  expect_error(llmd.post("/v1/chat/completions", R"({"model": 7})"), 400, "invalid_request_error", "invalid_json");
}

TEST_F(bad_input, unknown_model_without_default_is_404) {
  expect_error(llmd.post("/v1/chat/completions", chat_body("nope")), 404, "invalid_request_error", "model_not_found");
}

TEST_F(bad_input, unknown_path_is_404_and_wrong_method_405) {
  expect_error(llmd.get("/nowhere"), 404, "invalid_request_error", "unknown_url");
  const auto r = llmd.get("/v1/chat/completions");
  expect_error(r, 405, "invalid_request_error", "method_not_allowed");
  EXPECT_EQ(r.header("allow"), "POST");
  expect_error(llmd.post("/health", "{}"), 405, "invalid_request_error", "method_not_allowed");
}

TEST_F(bad_input, body_over_the_limit_is_413) {
  const std::string big = R"({"model":"m","prompt":")" + std::string(5000, 'x') + "\"}";
  expect_error(llmd.post("/v1/completions", big), 413, "invalid_request_error", "request_too_large");
  // Chunked bodies are counted as they arrive.
  connection c(llmd.port());
  c.send_raw("POST /v1/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" +
             std::string(5000, 'x') + "\r\n0\r\n\r\n");
  expect_error(c.read_response(), 413, "invalid_request_error", "request_too_large");
}

// Error messages quote the client's path or model: bytes that are not UTF-8 come out as U+FFFD,
// not as an exception that drops the connection (found by tests/fuzz/front_door_fuzz.cpp).
TEST_F(bad_input, errors_quoting_bytes_that_are_not_utf8_replace_them) {
  connection c(llmd.port());
  c.send_raw("GET /no\xffwhere HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto r = c.read_response();
  expect_error(r, 404, "invalid_request_error", "unknown_url");
  EXPECT_EQ(json::parse(r.body)["error"]["message"], "Invalid URL (GET /no\uFFFDwhere)");
  expect_error(llmd.post("/v1/chat/completions", "{\"model\": \"\xc3\"}"), 404, "invalid_request_error",
               "model_not_found");
}

TEST_F(bad_input, garbage_instead_of_http_is_400) {
  connection c(llmd.port());
  c.send_raw("HELLO THERE\r\n\r\n");
  const auto reply = c.read_until_close();
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("invalid_request_error"), std::string::npos);
}

TEST_F(bad_input, expect_100_continue_is_answered) {
  connection c(llmd.port());
  c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Connection: close\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  c.send_raw("{x}");
  const auto all = c.read_until_close();
  EXPECT_EQ(all.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400", 0), 0u) << all;
}

}  // namespace
}  // namespace llmd::test
