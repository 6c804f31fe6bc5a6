#include "responses.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>

#include "oracle.hpp"

namespace llmd::fuzz {

namespace bhttp = boost::beast::http;

std::optional<response> read_response(std::string_view bytes, bool head_only, std::size_t& used) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.skip(head_only);
  parser.body_limit(boost::none);
  used = 0;
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    const auto n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    used += n;
    // Every byte is here: what the parser still needs is missing.
    if (ec == bhttp::error::need_more || (!ec && n == 0)) {
      if (!parser.got_some()) return std::nullopt;
      parser.put_eof(ec);
    }
    if (ec == bhttp::error::partial_message) return std::nullopt;
    check(!ec, "a response is not well-formed HTTP/1.1", ec.message() + " in:\n" + std::string(bytes));
  }
  auto res = parser.release();
  check(res.version() == 10 || res.version() == 11, "a response is not HTTP/1.0 or 1.1");
  check(res.count(bhttp::field::content_length) <= 1, "a response has several Content-Length fields");
  check(!(res.count(bhttp::field::content_length) && res.chunked()),
        "a response has both Content-Length and chunked encoding");
  return res;
}

std::vector<response> read_responses(std::string_view bytes, const std::vector<bool>& head_only) {
  std::vector<response> out;
  while (!bytes.empty()) {
    const bool head = out.size() < head_only.size() && head_only[out.size()];
    std::size_t used = 0;
    auto res = read_response(bytes, head, used);
    check(res.has_value(), "a response is cut short", std::string(bytes));
    bytes.remove_prefix(used);
    if (res->result_int() < 200) continue;
    check(bytes.empty() || res->keep_alive(), "bytes follow a response that closes the connection",
          std::string(bytes));
    out.push_back(std::move(*res));
  }
  return out;
}

}  // namespace llmd::fuzz
