#include "llmd/upstream/response_parser.hpp"

namespace llmd::upstream {

response_parser::response_parser(http::field_list& fields) : fields_(fields) { fields_.clear(); }

void response_parser::on_response_impl(int code, string_view reason, int, error_code&) {
  status_ = static_cast<unsigned>(code);
  reason_.assign(reason.data(), reason.size());
}

void response_parser::on_field_impl(boost::beast::http::field id, string_view name, string_view value, error_code&) {
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
