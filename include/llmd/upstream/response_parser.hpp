// Beast's HTTP/1 response parser with a lean message: the status line, the fields copied into a
// field_list the caller keeps (and reuses), and the body handed over in place rather than
// copied: each read gives at most one piece (the parser is not eager), a view into the
// connection's read buffer that stays valid until the next read.
//
// Beast's header_limit bounds only the part of a header not yet parsed, since it hands over each
// whole field as it comes: a header that arrives in several reads could grow without end. This
// parser counts the whole header (status line and fields) against the limit itself.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "llmd/http/field_list.hpp"

namespace llmd::upstream {

class response_parser : public boost::beast::http::basic_parser<false> {
 public:
  // Clears `fields`, which must outlive the parser. A header longer than `header_limit` bytes
  // fails with error::header_limit.
  response_parser(http::field_list& fields, std::size_t header_limit);

  unsigned status() const noexcept { return status_; }
  std::string_view reason() const noexcept { return reason_; }
  const http::field_list& fields() const noexcept { return fields_; }
  // The body piece the last read parsed, empty if none; taking it empties it.
  std::string_view take_piece() noexcept { return std::exchange(piece_, {}); }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view reason, int version, error_code&) override;
  void on_field_impl(boost::beast::http::field id, string_view name, string_view value, error_code&) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override;
  void on_finish_impl(error_code&) override {}

  http::field_list& fields_;
  std::size_t header_left_;
  unsigned status_ = 0;
  std::string reason_;
  std::string_view piece_;
};

}  // namespace llmd::upstream
