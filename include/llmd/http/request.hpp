// A client's request as the session read it: the request line, the fields and the whole body.
// The session keeps one per connection and clears it for each request, so past the first
// request reading one allocates nothing unless it is larger than any before it.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/verb.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "llmd/http/field_list.hpp"

namespace llmd::http {

class request {
 public:
  boost::beast::http::verb method() const noexcept { return method_; }
  std::string_view method_string() const noexcept { return method_string_; }
  std::string_view target() const noexcept { return target_; }
  unsigned version() const noexcept { return version_; }  // 10 or 11
  bool keep_alive() const noexcept { return keep_alive_; }
  void keep_alive(bool keep) noexcept { keep_alive_ = keep; }
  const field_list& fields() const noexcept { return fields_; }
  std::string_view body() const noexcept { return body_; }
  // The body as it goes upstream, when llm-d rewrites it.
  void replace_body(std::string body) { body_ = std::move(body); }

  // Empties it for the next request; a body grown past `keep_body` bytes gives its memory back.
  void clear(std::size_t keep_body);

 private:
  friend class request_parser;

  boost::beast::http::verb method_ = boost::beast::http::verb::unknown;
  std::string method_string_;
  std::string target_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  field_list fields_;
  std::string body_;
};

// Beast's HTTP/1 request parser (limits, chunked bodies, framing checks) filling a request. It is
// stricter than Beast where a proxy must be (RFC 9112 §6.3): a second Content-Length, even an
// equal one, and a Content-Length that is not a plain number are refused, as are more than
// `max_fields` header fields.
class request_parser : public boost::beast::http::basic_parser<true> {
 public:
  // Clears nothing: give it a cleared request, which must outlive the parser.
  request_parser(request& req, std::size_t max_fields) : req_(req), max_fields_(max_fields) {}

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb method, string_view method_string, string_view target, int version,
                       error_code&) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field id, string_view name, string_view value, error_code&) override;
  void on_header_impl(error_code&) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code&) override;
  std::size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override;
  void on_finish_impl(error_code&) override {}

  request& req_;
  std::size_t max_fields_;
  bool seen_length_ = false;
};

}  // namespace llmd::http
