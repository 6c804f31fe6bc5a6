// The credentials of an Authorization header: auth-scheme 1*SP token68 (RFC 9110 §11.4).
#pragma once

#include <optional>
#include <string_view>

namespace llmd::http {

struct credentials {
  std::string_view scheme;
  std::string_view token;
  // The scheme's case does not matter.
  bool is(std::string_view name) const;
};

// nullopt when there is no space between a scheme and a token.
std::optional<credentials> parse_authorization(std::string_view value);

}  // namespace llmd::http
