#include "llmd/http/exchange.hpp"

#include <boost/beast/http/write.hpp>
#include <random>
#include <tuple>

#include "llmd/net/executor.hpp"

namespace llmd::http {

namespace net = boost::asio;
namespace bhttp = beast::http;

awaitable<bool> respond(exchange& ex, response res) {
  res.set("x-request-id", ex.request_id);
  if (!ex.cors_origin.empty()) {
    res.set(bhttp::field::access_control_allow_origin, ex.cors_origin);
    res.set(bhttp::field::vary, "Origin");
  }
  const bool keep = ex.req.keep_alive() && res.keep_alive();
  res.keep_alive(keep);
  res.prepare_payload();
  ex.client.expires_after(ex.write_timeout);
  bhttp::response_serializer<bhttp::string_body> serializer{res};
  // A response to HEAD has the header of the GET response and no body. (No co_await inside ?:
  // here: GCC 12 miscompiles it.)
  boost::system::error_code ec;
  if (ex.req.method() == bhttp::verb::head) {
    std::tie(ec, std::ignore) = co_await bhttp::async_write_header(ex.client, serializer, use_tuple);
  } else {
    std::tie(ec, std::ignore) = co_await bhttp::async_write(ex.client, serializer, use_tuple);
  }
  ex.client.expires_never();
  co_return keep && !ec;
}

response error_response(bhttp::status status, const openai_error& e) {
  response res{status, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = to_json(e);
  return res;
}

namespace {

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    auto bits = rng();
    for (int i = 0; i < 16; ++i, bits >>= 4) id[half * 16 + i] = hex[bits & 0xf];
  }
  return id;
}

bool sane_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string request_id_for(const request& req) {
  const auto id = req.fields().find("x-request-id");
  if (id && sane_id(*id)) return std::string(*id);
  return new_request_id();
}

}  // namespace llmd::http
