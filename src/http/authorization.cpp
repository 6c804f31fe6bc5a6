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

}  // namespace llmd::http
