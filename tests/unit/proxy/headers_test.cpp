#include "llmd/proxy/headers.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

namespace llmd::proxy {
namespace {

namespace bhttp = boost::beast::http;

config::model_entry entry_at(const std::string& host, const std::string& port) {
  config::model_entry e;
  e.url = {"http", host, port, ""};
  return e;
}

bhttp::request_header<> client_headers() {
  bhttp::request_header<> in;
  in.method(bhttp::verb::post);
  in.set(bhttp::field::host, "gateway:8080");
  in.set(bhttp::field::connection, "keep-alive, x-hop");
  in.set("x-hop", "1");
  in.set(bhttp::field::keep_alive, "timeout=5");
  in.set(bhttp::field::transfer_encoding, "chunked");
  in.set(bhttp::field::content_length, "10");
  in.set(bhttp::field::expect, "100-continue");
  in.set(bhttp::field::accept_encoding, "gzip");
  in.set(bhttp::field::authorization, "Bearer client");
  in.set(bhttp::field::content_type, "application/json");
  in.set("x-custom", "kept");
  in.set("x-request-id", "from-the-client");
  return in;
}

// What an upstream server reads of the head request_head() writes.
bhttp::request<bhttp::string_body> upstream_sees(const bhttp::request_header<>& in, const config::model_entry& e) {
  const auto head = request_head(in, "/prefix/v1/chat/completions", e, "req-1", 2);
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
  const auto out = upstream_sees(client_headers(), entry_at("backend", "8001"));
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
}

TEST(headers, api_key_replaces_the_clients_authorization_and_entry_headers_win) {
  auto e = entry_at("api.example", "80");
  e.api_key = "sk-entry";
  e.headers = {{"x-custom", "entry"}, {"OpenAI-Organization", "org-1"}};
  const auto out = upstream_sees(client_headers(), e);
  EXPECT_EQ(out[bhttp::field::host], "api.example");
  EXPECT_EQ(out.count(bhttp::field::authorization), 1u);
  EXPECT_EQ(out[bhttp::field::authorization], "Bearer sk-entry");
  EXPECT_EQ(out["x-custom"], "entry");
  EXPECT_EQ(out.count("x-custom"), 1u);
  EXPECT_EQ(out["openai-organization"], "org-1");
}

TEST(headers, ipv6_hosts_are_bracketed) {
  bhttp::request_header<> in;
  in.method(bhttp::verb::post);
  const auto out = upstream_sees(in, entry_at("::1", "8001"));
  EXPECT_EQ(out[bhttp::field::host], "[::1]:8001");
}

TEST(headers, response_keeps_everything_but_framing_and_hop_by_hop) {
  bhttp::fields in;
  in.set(bhttp::field::content_type, "text/event-stream");
  in.set(bhttp::field::transfer_encoding, "chunked");
  in.set(bhttp::field::connection, "close");
  in.set(bhttp::field::retry_after, "3");
  in.set("x-ratelimit-remaining-requests", "99");
  bhttp::fields out;
  copy_response_headers(in, out);
  EXPECT_EQ(out[bhttp::field::content_type], "text/event-stream");
  EXPECT_EQ(out[bhttp::field::retry_after], "3");
  EXPECT_EQ(out["x-ratelimit-remaining-requests"], "99");
  EXPECT_EQ(out.count(bhttp::field::transfer_encoding), 0u);
  EXPECT_EQ(out.count(bhttp::field::connection), 0u);
}

TEST(headers, response_head_is_what_beast_would_write) {
  for (unsigned version : {10u, 11u}) {
    bhttp::response<bhttp::empty_body> head;
    head.version(version);
    head.result(bhttp::status::too_many_requests);
    head.set(bhttp::field::content_type, "application/json");
    head.set("x-request-id", "abc");
    head.chunked(version == 11);
    head.keep_alive(true);
    std::ostringstream beast_wrote;
    beast_wrote << head;
    const auto message = beast_wrote.str();
    EXPECT_EQ(response_head(head.base()), message.substr(0, message.find("\r\n\r\n") + 4)) << "HTTP/" << version / 10 << '.' << version % 10;
  }
}

TEST(headers, response_head_keeps_an_upstream_reason_phrase) {
  bhttp::response<bhttp::empty_body> head;
  head.result(599);
  head.reason("Model Melted");
  head.content_length(0);
  EXPECT_EQ(response_head(head.base()), "HTTP/1.1 599 Model Melted\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace llmd::proxy
