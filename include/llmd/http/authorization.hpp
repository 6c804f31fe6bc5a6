// The credentials of an Authorization header: auth-scheme 1*SP token68 (RFC 9110 §11.4).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "llmd/config/auth.hpp"

namespace llmd::http {

struct credentials {
  std::string_view scheme;
  std::string_view token;
  // The scheme's case does not matter.
  bool is(std::string_view name) const;
};

// nullopt when there is no space between a scheme and a token.
std::optional<credentials> parse_authorization(std::string_view value);

// Whether a and b hold the same bytes, in a time that depends on their length only: every byte is
// looked at, whichever differs. The length may show.
bool constant_time_equal(std::string_view a, std::string_view b);

// The digest of the last bearer token a connection sent: clients send the same key with every
// request of a keep-alive connection, which is then hashed once. A proxy in front may carry
// several clients' requests on one connection, so tokens are compared in constant time.
class token_digests {
 public:
  const config::key_digest& of(std::string_view token);

 private:
  bool known_ = false;
  std::string token_;
  config::key_digest digest_{};
};

}  // namespace llmd::http
