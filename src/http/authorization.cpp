#include "llmd/http/authorization.hpp"

#include <boost/beast/core/string.hpp>

namespace llmd::http {

bool credentials::is(std::string_view name) const { return boost::beast::iequals(scheme, name); }

std::optional<credentials> parse_authorization(std::string_view value) {
  const auto space = value.find(' ');
  if (space == 0 || space == std::string_view::npos) return std::nullopt;
  auto token = value.substr(space);
  token.remove_prefix(std::min(token.find_first_not_of(' '), token.size()));
  if (token.empty()) return std::nullopt;
  return credentials{.scheme = value.substr(0, space), .token = token};
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ b[i]);
  return differ == 0;
}

const config::key_digest& token_digests::of(std::string_view token) {
  if (!known_ || !constant_time_equal(token, token_)) {
    token_.assign(token);
    digest_ = config::digest_of(token);
    known_ = true;
  }
  return digest_;
}

}  // namespace llmd::http
