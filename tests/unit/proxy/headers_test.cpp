#include "llmd/proxy/headers.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "llmd/upstream/response_parser.hpp"

namespace llmd::proxy {
namespace {

namespace bhttp = boost::beast::http;

config::model_entry entry_at(const std::string& host, const std::string& port) {
  config::model_entry e;
  e.url = {"http", host, port, ""};
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
  explicit client_request(std::string_view head) : parser(req) { parse_head(parser, head); }
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
bhttp::request<bhttp::string_body> upstream_sees(std::string_view client, const config::model_entry& e) {
  auto at_prefix = e;
  at_prefix.url.path_prefix = "/prefix";
  const client_request in(client);
  const auto head = request_head(in.req, at_prefix, "req-1", 2);
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

TEST(headers, request_drops_hop_by_hop_and_sets_host) {
  const auto out = upstream_sees(client_head("Content-Length: 10\r\n"), entry_at("backend", "8001"));
  EXPECT_EQ(out.method(), bhttp::verb::post);
  EXPECT_EQ(out.target(), "/prefix/v1/chat/completions");
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

TEST(headers, ipv6_hosts_are_bracketed) {
  const auto out = upstream_sees("POST /v1/chat/completions HTTP/1.1\r\n\r\n", entry_at("::1", "8001"));
  EXPECT_EQ(out[bhttp::field::host], "[::1]:8001");
}

// An upstream's answer, header only, as the relay reads it.
struct upstream_response {
  explicit upstream_response(std::string_view head) : parser(fields) { parse_head(parser, head); }
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
