#include "request_reader.hpp"

#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <cstring>

namespace llmd::http {

namespace {

namespace bhttp = boost::beast::http;

constexpr std::size_t largest_read = 64 * 1024;

// Whether a line of the head starts with a space or a tab: the head's own CRLFs are all Beast
// lets through.
bool has_folded_line(std::string_view head) {
  for (auto at = head.find('\n'); at != std::string_view::npos && at + 1 < head.size();
       at = head.find('\n', at + 1)) {
    if (head[at + 1] == ' ' || head[at + 1] == '\t') return true;
  }
  return false;
}

// Reads what the connection has into `buffer`.
awaitable<boost::system::error_code> read_more(llmd::net::timed_socket& stream, boost::beast::flat_buffer& buffer) {
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(boost::beast::read_size(buffer, largest_read)),
                                                 use_tuple);
  buffer.commit(n);
  co_return ec;
}

}  // namespace

awaitable<boost::system::error_code> read_head(llmd::net::timed_socket& stream, boost::beast::flat_buffer& buffer,
                                               request_parser& parser, const config::limits& limits) {
  if (buffer.size() == 0) {
    stream.expires_after(limits.client_idle_timeout);
    if (auto ec = co_await read_more(stream, buffer)) co_return ec;
  }
  stream.expires_after(limits.client_header_timeout);
  for (;;) {
    // Beast takes a head only whole: until then it consumes nothing, and the head stays in the
    // buffer, where it is looked at before it goes.
    boost::system::error_code ec;
    const auto data = buffer.data();
    const auto used = parser.put(data, ec);
    if (!ec) {
      if (has_folded_line({static_cast<const char*>(data.data()), used})) ec = bhttp::error::bad_value;
      buffer.consume(used);
      co_return ec;
    }
    if (ec != bhttp::error::need_more) co_return ec;
    if (auto read_ec = co_await read_more(stream, buffer)) {
      co_return read_ec == boost::beast::http::error::end_of_stream || read_ec == boost::asio::error::eof
          ? boost::system::error_code(bhttp::error::partial_message)
          : read_ec;
    }
  }
}

awaitable<boost::system::error_code> read_body(llmd::net::timed_socket& stream, boost::beast::flat_buffer& buffer,
                                               request_parser& parser, const config::limits& limits) {
  while (!parser.is_done()) {
    stream.expires_after(limits.client_body_timeout);
    auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, parser, use_tuple);
    if (ec) co_return ec;
  }
  co_return boost::system::error_code{};
}

}  // namespace llmd::http
