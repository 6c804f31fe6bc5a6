#include "fake_upstream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <string>
#include <variant>

#include "llmd/api/request_fields.hpp"
#include "oracle.hpp"

namespace llmd::fuzz {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

std::string chunk(std::string_view data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

const std::string json_answer = [] {
  const std::string body =
      R"({"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":"Hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}})";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}();

const std::string sse_answer =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
    chunk("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n") +
    chunk("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n") +
    "0\r\n\r\n";

void check_request(const bhttp::request<bhttp::string_body>& req) {
  const std::string_view target = req.target();
  const bool sse = target.starts_with("/sse/v1/");
  check(req.method() == bhttp::verb::post && (sse || target.starts_with("/v1/")),
        "llm-d forwarded a request other than POST /v1/...", target);
  const auto scanned = api::scan_request(req.body());
  const auto* fields = std::get_if<api::request_fields>(&scanned);
  check(fields && fields->model, "llm-d forwarded a body without a model", req.body());
  check(sse || *fields->model == fake_upstream::rewritten_model, "llm-d forwarded the wrong model", req.body());
}

awaitable<void> serve(tcp_socket socket) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    auto [ec, n] = co_await bhttp::async_read(socket, buffer, parser, use_tuple);
    // llm-d closes connections it no longer pools, between requests.
    if (ec == bhttp::error::end_of_stream || ec == net::error::connection_reset) co_return;
    check(!ec, "llm-d forwarded a malformed request", ec.message());
    const auto& req = parser.get();
    check_request(req);
    const auto& answer = req.target().starts_with("/sse/") ? sse_answer : json_answer;
    auto [wec, wn] = co_await net::async_write(socket, net::buffer(answer), use_tuple);
    if (wec || !req.keep_alive()) co_return;
  }
}

awaitable<void> accept_loop(tcp_acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) co_return;
    net::co_spawn(acceptor.get_executor(), serve(std::move(socket)), net::detached);
  }
}

}  // namespace

fake_upstream::fake_upstream(net::io_context& io) : acceptor_(io, {net::ip::address_v4::loopback(), 0}) {
  net::co_spawn(io, accept_loop(acceptor_), net::detached);
}

}  // namespace llmd::fuzz
