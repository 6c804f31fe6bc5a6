#include "llmd/http/request.hpp"

#include <algorithm>

namespace llmd::http {

void request::clear(std::size_t keep_body) {
  method_ = boost::beast::http::verb::unknown;
  method_string_.clear();
  target_.clear();
  version_ = 11;
  keep_alive_ = true;
  fields_.clear();
  if (body_.capacity() > keep_body) {
    std::string().swap(body_);
  } else {
    body_.clear();
  }
}

void request_parser::on_request_impl(boost::beast::http::verb method, string_view method_string, string_view target,
                                     int version, error_code&) {
  req_.method_ = method;
  req_.method_string_.assign(method_string.data(), method_string.size());
  req_.target_.assign(target.data(), target.size());
  req_.version_ = static_cast<unsigned>(version);
}

void request_parser::on_field_impl(boost::beast::http::field id, string_view name, string_view value, error_code& ec) {
  namespace bhttp = boost::beast::http;
  if (req_.fields_.size() == max_fields_) {
    ec = bhttp::error::header_limit;
    return;
  }
  if (id == bhttp::field::content_length) {
    const bool digits =
        !value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (seen_length_ || !digits) {
      ec = bhttp::error::bad_content_length;
      return;
    }
    seen_length_ = true;
  }
  req_.fields_.add(id, {name.data(), name.size()}, {value.data(), value.size()});
}

void request_parser::on_header_impl(error_code&) { req_.keep_alive_ = keep_alive(); }

void request_parser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) {
  // The parser has already refused a length past its body limit.
  if (content_length) req_.body_.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t request_parser::on_body_impl(string_view body, error_code&) {
  req_.body_.append(body.data(), body.size());
  return body.size();
}

std::size_t request_parser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  req_.body_.append(body.data(), body.size());
  return body.size();
}

}  // namespace llmd::http
