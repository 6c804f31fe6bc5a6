#include "llmd/proxy/headers.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <utility>
#include <vector>

#include "llmd/config/parse.hpp"
#include "llmd/upstream/response_parser.hpp"

namespace llmd::proxy {
namespace {

namespace bhttp = boost::beast::http;

config::model_entry entry_at(const std::string& host, const std::string& port) {
  config::model_entry e;
  e.url = {.scheme = "http", .host = host, .port = port, .root = "/v1", .query = ""};
  return e;
}

// An entry as the config parser makes it from `endpoint`.
config::model_entry entry_for(std::string_view endpoint) {
  config::model_entry e;
  auto url = config::parse_endpoint(endpoint);
  EXPECT_TRUE(url.value) << endpoint << ": " << url.error;
  if (url.value) e.url = std::move(*url.value);
  return e;
}

// Feeds a whole head to one of llm-d's parsers.
template <bool isRequest>
void parse_head(bhttp::basic_parser<isRequest>& parser, std::string_view head) {
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head.data(), head.size()), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_header_done());
}

// A client's request, header only, as the session reads it.
struct client_request {
  explicit client_request(std::string_view head) : parser(req, 100) { parse_head(parser, head); }
  http::request req;
  http::request_parser parser;
};

// `framing` is the body's Content-Length or Transfer-Encoding line.
std::string client_head(std::string_view framing) {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway:8080\r\nConnection: keep-alive, x-hop\r\n"
         "x-hop: 1\r\nKeep-Alive: timeout=5\r\n" +
         std::string(framing) +
         "Expect: 100-continue\r\nAccept-Encoding: gzip\r\nAuthorization: Bearer client\r\n"
         "Content-Type: application/json\r\nx-custom: kept\r\nX-Request-Id: from-the-client\r\n\r\n";
}

// What an upstream server reads of the head request_head() writes.
bhttp::request<bhttp::string_body> upstream_sees(std::string_view client, const config::model_entry& e,
                                                 bool client_key = false) {
  const client_request in(client);
  const auto head = request_head(in.req, e, "req-1", 2, client_key);
  const std::string wire = head + "{}";
  bhttp::request_parser<bhttp::string_body> parser;
  boost::system::error_code ec;
  for (std::size_t used = 0; !ec && !parser.is_done();) {
    used += parser.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
  }
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_done());
  return parser.release();
}

std::string client_post(std::string_view target, std::string_view extra_fields = "") {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: gateway:8080\r\n" + std::string(extra_fields) +
         "Content-Length: 2\r\n\r\n";
}

TEST(headers, request_drops_hop_by_hop_and_sets_host) {
  const auto out = upstream_sees(client_head("Content-Length: 10\r\n"), entry_at("backend", "8001"));
  EXPECT_EQ(out.method(), bhttp::verb::post);
  EXPECT_EQ(out.target(), "/v1/chat/completions");
  EXPECT_EQ(out.version(), 11u);
  EXPECT_EQ(out[bhttp::field::content_length], "2");
  EXPECT_EQ(out.count(bhttp::field::content_length), 1u);
  EXPECT_EQ(out.count("x-request-id"), 1u);
  EXPECT_EQ(out["x-request-id"], "req-1");
  EXPECT_EQ(out[bhttp::field::host], "backend:8001");
  EXPECT_EQ(out[bhttp::field::authorization], "Bearer client");
  EXPECT_EQ(out[bhttp::field::content_type], "application/json");
  EXPECT_EQ(out["x-custom"], "kept");
  for (auto f : {bhttp::field::connection, bhttp::field::keep_alive, bhttp::field::transfer_encoding,
                 bhttp::field::expect, bhttp::field::accept_encoding}) {
    EXPECT_EQ(out.count(f), 0u) << f;
  }
  EXPECT_EQ(out.count("x-hop"), 0u);
  const auto chunked = upstream_sees(client_head("Transfer-Encoding: chunked\r\n"), entry_at("backend", "8001"));
  EXPECT_EQ(chunked.count(bhttp::field::transfer_encoding), 0u);
  EXPECT_EQ(chunked[bhttp::field::content_length], "2");
}

TEST(headers, api_key_replaces_the_clients_authorization_and_entry_headers_win) {
  auto e = entry_at("api.example", "80");
  e.api_key = "sk-entry";
  e.headers = {{"x-custom", "entry"}, {"OpenAI-Organization", "org-1"}};
  const auto out = upstream_sees(client_head("Content-Length: 10\r\n"), e);
  EXPECT_EQ(out[bhttp::field::host], "api.example");
  EXPECT_EQ(out.count(bhttp::field::authorization), 1u);
  EXPECT_EQ(out[bhttp::field::authorization], "Bearer sk-entry");
  EXPECT_EQ(out["x-custom"], "entry");
  EXPECT_EQ(out.count("x-custom"), 1u);
  EXPECT_EQ(out["openai-organization"], "org-1");
}

TEST(headers, request_line_is_the_root_then_the_operation) {
  for (auto endpoint : {"http://h:8001", "http://h:8001/v1", "http://h:8001/v1/", "http://h:8001/v1/chat/completions",
                        "http://h:8001/v1/embeddings"}) {
    EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions"), entry_for(endpoint)).target(), "/v1/chat/completions")
        << endpoint;
  }
  EXPECT_EQ(upstream_sees(client_post("/v1/embeddings"), entry_for("http://h/openai")).target(), "/openai/embeddings");
  EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions"), entry_for("http://h/openai/v1/")).target(),
            "/openai/v1/chat/completions");
}

TEST(headers, gemini_openai_root) {
  const auto e = entry_for("https://generativelanguage.googleapis.com/v1beta/openai");
  const auto out = upstream_sees(client_post("/v1/chat/completions"), e);
  EXPECT_EQ(out.target(), "/v1beta/openai/chat/completions");
  EXPECT_EQ(out[bhttp::field::host], "generativelanguage.googleapis.com");
}

TEST(headers, azure_deployment_keeps_its_api_version_on_every_operation) {
  const auto e =
      entry_for("https://res.openai.azure.com/openai/deployments/gpt4/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions"), e).target(),
            "/openai/deployments/gpt4/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(upstream_sees(client_post("/v1/embeddings"), e).target(),
            "/openai/deployments/gpt4/embeddings?api-version=2024-10-21");
  EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions"), e)[bhttp::field::host], "res.openai.azure.com");
}

TEST(headers, clients_query_comes_after_the_endpoints) {
  EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions?x=1&y=2"), entry_for("https://h/d?api-version=3")).target(),
            "/d/chat/completions?api-version=3&x=1&y=2");
  EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions?x=1"), entry_for("http://h")).target(),
            "/v1/chat/completions?x=1");
  EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions?"), entry_for("http://h")).target(),
            "/v1/chat/completions");
  EXPECT_EQ(upstream_sees(client_post("/v1/chat/completions?"), entry_for("http://h?a=b")).target(),
            "/v1/chat/completions?a=b");
}

TEST(headers, host_names_the_port_unless_it_is_the_schemes_default) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"https://h", "h"},        {"https://h:443", "h"},     {"https://h:8443", "h:8443"},
      {"https://h:80", "h:80"},  {"http://h", "h"},          {"http://h:80", "h"},
      {"http://h:443", "h:443"}, {"https://[::1]", "[::1]"}, {"https://[::1]:8443", "[::1]:8443"},
  };
  for (const auto& [endpoint, host] : cases) {
    EXPECT_EQ(upstream_sees(client_post("/v1/models"), entry_for(endpoint))[bhttp::field::host], host) << endpoint;
  }
}

TEST(headers, a_header_style_key_keeps_the_clients_token_away) {
  for (auto name : {"api-key", "X-API-Key", "x-api-key", "authorization"}) {
    auto e = entry_for("https://h/openai");
    e.headers = {{name, "entry-key"}};
    const auto out = upstream_sees(client_post("/v1/chat/completions", "Authorization: Bearer client\r\n"), e);
    EXPECT_EQ(out[name], "entry-key") << name;
    if (!boost::beast::iequals(name, "authorization")) {
      EXPECT_EQ(out.count(bhttp::field::authorization), 0u) << name;
    }
  }
}

TEST(headers, an_entry_without_credentials_receives_the_clients_token) {
  auto e = entry_for("http://h:8001/v1");
  e.headers = {{"OpenAI-Organization", "org-1"}};
  const auto out = upstream_sees(client_post("/v1/chat/completions", "Authorization: Bearer client\r\n"), e);
  EXPECT_EQ(out[bhttp::field::authorization], "Bearer client");
  EXPECT_EQ(out.count(bhttp::field::authorization), 1u);
}

TEST(headers, a_clients_llmd_key_reaches_no_entry) {
  const auto e = entry_for("http://h:8001/v1");
  const auto out = upstream_sees(client_post("/v1/chat/completions", "Authorization: Bearer sk-llmd\r\n"), e, true);
  EXPECT_EQ(out.count(bhttp::field::authorization), 0u);
}

TEST(headers, ipv6_hosts_are_bracketed) {
  const auto out = upstream_sees("POST /v1/chat/completions HTTP/1.1\r\n\r\n", entry_at("::1", "8001"));
  EXPECT_EQ(out[bhttp::field::host], "[::1]:8001");
}

// An upstream's answer, header only, as the relay reads it.
struct upstream_response {
  explicit upstream_response(std::string_view head) : parser(fields, 64 * 1024) { parse_head(parser, head); }
  std::string relayed(const relay_fields& add) const {
    return relayed_head(parser.status(), parser.reason(), parser.fields(), add);
  }
  http::field_list fields;
  upstream::response_parser parser;
};

TEST(headers, response_keeps_everything_but_framing_and_hop_by_hop) {
  const upstream_response in(
      "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close, x-hop\r\nx-hop: 1\r\nRetry-After: 3\r\nx-ratelimit-remaining-requests: 99\r\n\r\n");
  bhttp::fields out;
  copy_response_headers(in.parser.fields(), out);
  EXPECT_EQ(out[bhttp::field::content_type], "text/event-stream");
  EXPECT_EQ(out[bhttp::field::retry_after], "3");
  EXPECT_EQ(out["x-ratelimit-remaining-requests"], "99");
  EXPECT_EQ(out.count(bhttp::field::transfer_encoding), 0u);
  EXPECT_EQ(out.count(bhttp::field::connection), 0u);
  EXPECT_EQ(out.count("x-hop"), 0u);
}

bhttp::response<bhttp::empty_body> client_sees(const std::string& head) {
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // the head alone
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser.is_header_done());
  return parser.release();
}

constexpr std::string_view upstream_answer =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    "x-request-id: upstream-id\r\nX-LLMD-Attempts: 7\r\nx-ratelimit-remaining-requests: 99\r\n\r\n";

TEST(headers, relayed_head_adds_llmds_fields_and_its_own_framing) {
  const upstream_response in(upstream_answer);
  const auto out = client_sees(in.relayed({11, "req-1", "vllm#0", 2, std::nullopt, true, true}));
  EXPECT_EQ(out.result_int(), 200u);
  EXPECT_EQ(out.version(), 11u);
  EXPECT_EQ(out[bhttp::field::content_type], "text/event-stream");
  EXPECT_EQ(out["x-ratelimit-remaining-requests"], "99");
  EXPECT_EQ(out["x-request-id"], "req-1");
  EXPECT_EQ(out["x-llmd-backend"], "vllm#0");
  EXPECT_EQ(out["x-llmd-attempts"], "2");
  EXPECT_EQ(out.count("x-request-id"), 1u);
  EXPECT_EQ(out.count("x-llmd-attempts"), 1u);
  EXPECT_EQ(out.count(bhttp::field::transfer_encoding), 1u);
  EXPECT_TRUE(out.chunked());
  EXPECT_TRUE(out.keep_alive());
  EXPECT_EQ(out.count(bhttp::field::content_length), 0u);
}

TEST(headers, relayed_head_says_length_and_connection_as_the_client_needs) {
  const upstream_response in(upstream_answer);
  const auto with_length = client_sees(in.relayed({11, "r", "b", 1, 42, false, false}));
  EXPECT_EQ(with_length[bhttp::field::content_length], "42");
  EXPECT_FALSE(with_length.chunked());
  EXPECT_FALSE(with_length.keep_alive());
  const auto old_client = client_sees(in.relayed({10, "r", "b", 1, 42, false, true}));
  EXPECT_EQ(old_client.version(), 10u);
  EXPECT_TRUE(old_client.keep_alive());
  const auto until_close = client_sees(in.relayed({10, "r", "b", 1, std::nullopt, false, false}));
  EXPECT_FALSE(until_close.keep_alive());
  EXPECT_EQ(until_close.count(bhttp::field::content_length), 0u);
  EXPECT_EQ(until_close.count(bhttp::field::transfer_encoding), 0u);
}

TEST(headers, relayed_head_keeps_an_upstream_reason_phrase) {
  const upstream_response in("HTTP/1.1 599 Model Melted\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(in.relayed({11, "r", "b", 1, 0, false, true}),
            "HTTP/1.1 599 Model Melted\r\nx-request-id: r\r\nx-llmd-backend: b\r\nx-llmd-attempts: 1\r\n"
            "Content-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace llmd::proxy
