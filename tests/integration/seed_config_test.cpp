// The seed's config, verbatim but for ports, serves every OpenAI endpoint through llm-d.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using nlohmann::json;

class seed_config : public testing::Test {
 protected:
  // The endpoints name localhost, as the seed file does, where replica_id() has 127.0.0.1.
  static std::string id_of(const std::string& name, const mock& m) {
    return name + "@localhost:" + std::to_string(m.port());
  }

  mock primary{"primary"};
  mock fallback{"fallback"};
  gateway llmd{"models:\n"
               "  - name: primary\n"
               "    endpoint: http://localhost:" + std::to_string(primary.port()) + "/v1/chat/completions\n"
               "    max_concurrent: 4\n"
               "  - name: fallback\n"
               "    endpoint: http://localhost:" + std::to_string(fallback.port()) + "/v1/chat/completions\n"
               "    max_concurrent: 8\n"};
};

TEST_F(seed_config, non_streaming_chat_reaches_the_primary_unchanged) {
  const std::string body = chat_body("primary");
  const auto r = llmd.post("/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), id_of("primary", primary));
  EXPECT_EQ(r.header("x-llmd-attempts"), "1");
  EXPECT_EQ(r.header("x-request-id").size(), 32u);
  const auto answer = json::parse(r.body);
  EXPECT_EQ(answer["object"], "chat.completion");
  EXPECT_EQ(answer["choices"][0]["message"]["content"].get<std::string>().rfind("[primary]", 0), 0u);

  const auto seen = primary.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["target"], "/v1/chat/completions");
  EXPECT_EQ(seen[0]["body"], body);  // byte for byte: no model rewrite configured
  EXPECT_EQ(fallback.stats()["requests"], 0);
}

TEST_F(seed_config, unknown_model_goes_to_the_first_entry) {
  const auto r = llmd.post("/v1/chat/completions", chat_body("gpt-4o"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), id_of("primary", primary));
  EXPECT_EQ(primary.requests()[0]["headers"].value("host", ""), "localhost:" + std::to_string(primary.port()));
}

TEST_F(seed_config, model_names_the_group) {
  const auto r = llmd.post("/v1/chat/completions", chat_body("fallback"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), id_of("fallback", fallback));
  EXPECT_EQ(primary.stats()["requests"], 0);
}

TEST_F(seed_config, streaming_chat_is_relayed_as_server_sent_events) {
  connection c(llmd.port());
  c.send("POST", "/v1/chat/completions", chat_body("primary", true));
  const auto head = c.read_header();
  ASSERT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("content-type").rfind("text/event-stream", 0), 0u);
  EXPECT_EQ(head.header("transfer-encoding"), "chunked");
  EXPECT_EQ(head.header("x-llmd-backend"), id_of("primary", primary));
  std::string all;
  while (auto p = c.read_piece()) all += p->data;
  EXPECT_NE(all.find("chat.completion.chunk"), std::string::npos);
  EXPECT_EQ(all.substr(all.size() - 14), "data: [DONE]\n\n");
  EXPECT_EQ(primary.stats()["completed"], 1);
}

TEST_F(seed_config, embeddings_and_completions_reach_the_same_server) {
  const auto e = llmd.post("/v1/embeddings", R"({"model":"primary","input":["a","b"]})");
  ASSERT_EQ(e.status, 200u) << e.body;
  EXPECT_EQ(json::parse(e.body)["data"].size(), 2u);
  const auto c = llmd.post("/v1/completions", R"({"model":"primary","prompt":"say hi"})");
  ASSERT_EQ(c.status, 200u) << c.body;
  EXPECT_EQ(json::parse(c.body)["object"], "text_completion");
  const auto seen = primary.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]["target"], "/v1/embeddings");
  EXPECT_EQ(seen[1]["target"], "/v1/completions");
}

TEST_F(seed_config, streaming_completions_are_relayed) {
  connection c(llmd.port());
  c.send("POST", "/v1/completions", R"({"model":"primary","prompt":"x","stream":true})");
  ASSERT_EQ(c.read_header().status, 200u);
  std::string all;
  while (auto p = c.read_piece()) all += p->data;
  EXPECT_NE(all.find("text_completion"), std::string::npos);
  EXPECT_NE(all.find("data: [DONE]"), std::string::npos);
}

TEST_F(seed_config, models_health_and_ready) {
  const auto m = llmd.get("/v1/models");
  ASSERT_EQ(m.status, 200u);
  const auto list = json::parse(m.body);
  EXPECT_EQ(list["object"], "list");
  ASSERT_EQ(list["data"].size(), 2u);
  EXPECT_EQ(list["data"][0]["id"], "primary");
  EXPECT_EQ(list["data"][1]["id"], "fallback");
  EXPECT_EQ(llmd.get("/v1/models/fallback").status, 200u);
  EXPECT_EQ(llmd.get("/v1/models/nope").status, 404u);
  EXPECT_EQ(llmd.get("/health").status, 200u);
  EXPECT_EQ(llmd.get("/ready").status, 200u);
}

TEST_F(seed_config, keep_alive_carries_many_requests_on_one_client_connection) {
  // Each stats query is a connection of its own, counted by the mock as it is accepted.
  const int before = primary.stats()["connections"];
  connection c(llmd.port());
  for (int i = 0; i < 5; ++i) {
    c.send("POST", "/v1/chat/completions", chat_body("primary"));
    EXPECT_EQ(c.read_response().status, 200u);
  }
  // One upstream connection carried all five: llm-d kept it alive in its pool.
  EXPECT_EQ(primary.stats()["connections"].get<int>() - before, 2);
}

TEST_F(seed_config, client_request_id_is_kept_and_sent_upstream) {
  const auto r = llmd.post("/v1/chat/completions", chat_body("primary"), {{"x-request-id", "abc-123"}});
  EXPECT_EQ(r.header("x-request-id"), "abc-123");
  EXPECT_EQ(primary.requests()[0]["headers"]["x-request-id"], "abc-123");
}

TEST_F(seed_config, chunked_request_bodies_go_upstream_with_a_length) {
  const std::string body = chat_body("primary");
  connection c(llmd.port());
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Transfer-Encoding: chunked\r\n\r\n" + std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  ASSERT_EQ(c.read_response().status, 200u);
  const auto seen = primary.requests()[0];
  EXPECT_EQ(seen["body"], body);
  EXPECT_EQ(seen["headers"]["content-length"], std::to_string(body.size()));
  EXPECT_FALSE(seen["headers"].contains("transfer-encoding"));
}

TEST_F(seed_config, http_1_0_clients_get_a_close_delimited_stream) {
  connection c(llmd.port());
  const std::string body = chat_body("primary", true);
  c.send_raw("POST /v1/chat/completions HTTP/1.0\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body);
  const auto all = c.read_until_close();
  EXPECT_EQ(all.rfind("HTTP/1.0 200", 0), 0u) << all;
  EXPECT_EQ(all.find("chunked"), std::string::npos);
  EXPECT_EQ(all.substr(all.size() - 14), "data: [DONE]\n\n");
}

TEST_F(seed_config, head_requests_get_headers_only) {
  connection c(llmd.port());
  c.send_raw("HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto all = c.read_until_close();
  EXPECT_EQ(all.rfind("HTTP/1.1 200", 0), 0u) << all;
  EXPECT_EQ(all.substr(all.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace llmd::test
