#include "tunnel.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "llmd/net/write_all.hpp"

namespace llmd::upstream {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t proxy_header_limit = 16 * 1024;

std::string authority(const config::upstream_url& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
}

}  // namespace

awaitable<std::string> open_tunnel(connection& conn, const config::upstream_url& url,
                                   const config::proxy_settings& proxy) {
  const auto where = authority(url);
  std::string request = "CONNECT " + where + " HTTP/1.1\r\nHost: " + where + "\r\n";
  if (!proxy.authorization.empty()) request += "Proxy-Authorization: " + proxy.authorization + "\r\n";
  request += "\r\n";
  if (auto ec = co_await llmd::net::write_all(conn.stream, boost::asio::buffer(request))) {
    co_return "proxy connection broke: " + ec.message();
  }
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.header_limit(proxy_header_limit);
  parser.skip(true);  // a CONNECT's answer has no body: what follows is the tunnel's
  auto [ec, n] = co_await bhttp::async_read_header(conn.stream, conn.buffer, parser, use_tuple);
  if (ec) co_return "no answer from the proxy to CONNECT " + where + ": " + ec.message();
  const auto status = parser.get().result_int();
  if (status < 200 || status >= 300) {
    co_return "the proxy refused CONNECT " + where + ": " + std::to_string(status) + " " +
        std::string(parser.get().reason());
  }
  // The server speaks only when spoken to: bytes already here are the proxy's mistake.
  if (conn.buffer.size() > 0) co_return "the proxy sent data after its answer to CONNECT";
  co_return "";
}

}  // namespace llmd::upstream
