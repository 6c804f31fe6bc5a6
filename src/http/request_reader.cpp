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
// lets through. `before` is the byte of the head that came before `taken`.
bool has_folded_line(char before, std::string_view taken) {
  if (taken.empty()) return false;
  if (before == '\n' && (taken[0] == ' ' || taken[0] == '\t')) return true;
  for (auto at = taken.find('\n'); at != std::string_view::npos && at + 1 < taken.size();
       at = taken.find('\n', at + 1)) {
    if (taken[at + 1] == ' ' || taken[at + 1] == '\t') return true;
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
  // Beast takes the start line and each field as soon as it is whole, and checks its size limit
  // only against what one call sees: the head's size is counted here across reads.
  std::size_t taken = 0;
  char before = 0;
  for (;;) {
    boost::system::error_code ec;
    const auto data = buffer.data();
    const auto used = parser.put(data, ec);
    const std::string_view part{static_cast<const char*>(data.data()), used};
    if (has_folded_line(before, part)) co_return bhttp::error::bad_value;
    if (used > 0) before = part.back();
    taken += used;
    buffer.consume(used);
    if (ec && ec != bhttp::error::need_more) co_return ec;
    // What came of the head so far: all of it, or all that is buffered while it is incomplete.
    if (taken + (ec ? buffer.size() : 0) > limits.max_header_bytes) co_return bhttp::error::header_limit;
    if (!ec) co_return ec;
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
