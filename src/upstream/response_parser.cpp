#include "llmd/upstream/response_parser.hpp"

#include <boost/beast/http/error.hpp>

namespace llmd::upstream {

namespace {

namespace bhttp = boost::beast::http;

// The bytes around what the parser hands over: "HTTP/1.1 200 " and CRLF; ": " and CRLF.
constexpr std::size_t status_line_frame = 15;
constexpr std::size_t field_frame = 4;

// Counts `bytes` of header against what is left; false past the limit.
bool take(std::size_t& left, std::size_t bytes) {
  if (bytes > left) return false;
  left -= bytes;
  return true;
}

}  // namespace

response_parser::response_parser(http::field_list& fields, std::size_t header_limit)
    : fields_(fields), header_left_(header_limit) {
  fields_.clear();
  this->header_limit(static_cast<std::uint32_t>(header_limit));
}

void response_parser::on_response_impl(int code, string_view reason, int, error_code& ec) {
  if (!take(header_left_, status_line_frame + reason.size())) {
    ec = bhttp::error::header_limit;
    return;
  }
  status_ = static_cast<unsigned>(code);
  reason_.assign(reason.data(), reason.size());
}

void response_parser::on_field_impl(boost::beast::http::field id, string_view name, string_view value,
                                    error_code& ec) {
  if (!take(header_left_, name.size() + value.size() + field_frame)) {
    ec = bhttp::error::header_limit;
    return;
  }
  fields_.add(id, {name.data(), name.size()}, {value.data(), value.size()});
}

std::size_t response_parser::on_body_impl(string_view body, error_code&) {
  piece_ = {body.data(), body.size()};
  return body.size();
}

std::size_t response_parser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  piece_ = {body.data(), body.size()};
  return body.size();
}

}  // namespace llmd::upstream
