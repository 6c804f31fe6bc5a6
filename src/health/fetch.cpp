#include "fetch.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <tuple>

#include "llmd/config/display.hpp"
#include "llmd/net/write_all.hpp"

namespace llmd::health {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

std::string get_head(const config::model_entry& entry, const std::string& path, std::string_view agent) {
  std::string out = "GET " + path + " HTTP/1.1\r\nHost: ";
  config::append_host(out, entry.url);
  out += "\r\nUser-Agent: ";
  out += agent;
  out += "\r\n";
  for (const auto& h : entry.headers) out += h.name + ": " + h.value + "\r\n";
  if (entry.api_key) out += "Authorization: Bearer " + *entry.api_key + "\r\n";
  out += "\r\n";
  return out;
}

namespace {

fetched failure(std::string why) { return fetched{.error = std::move(why), .status = 0, .body = {}}; }

}  // namespace

awaitable<fetched> fetch(upstream::connection_pool& connections, const upstream::target& target,
                         const std::string& head, config::duration timeout, std::size_t body_limit) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (bool fresh = false;; fresh = true) {
    auto got = co_await connections.acquire(target, timeout, fresh);
    if (!got.conn) co_return failure(got.why);
    auto& conn = *got.conn;
    conn.stream.expires_at(deadline);
    boost::system::error_code ec = co_await llmd::net::write_all(conn.stream, net::buffer(head));
    conn.buffer.clear();
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    if (!ec) std::tie(ec, std::ignore) = co_await bhttp::async_read(conn.stream, conn.buffer, parser, use_tuple);
    if (ec) {
      if (conn.stream.timed_out()) co_return failure("no answer within timeout");
      if (conn.reused && !fresh && !parser.got_some()) continue;
      co_return failure(ec.message());
    }
    conn.stream.expires_never();
    fetched out{.error = "", .status = parser.get().result_int(), .body = std::move(parser.get().body())};
    if (parser.get().keep_alive() && conn.buffer.size() == 0) connections.release(target, std::move(got.conn));
    co_return out;
  }
}

}  // namespace llmd::health
