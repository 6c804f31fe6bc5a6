#include "llmd/admin/access.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <vector>

#include "llmd/http/authorization.hpp"

namespace llmd::admin {

namespace {

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Standard base64 with its padding; nullopt for anything else. EVP_DecodeBlock alone would take
// padding in the middle and count it as zero bytes, so the text is checked first.
std::optional<std::string> decode_base64(std::string_view text) {
  const auto padding = text.size() - std::min(text.find_last_not_of('=') + 1, text.size());
  if (text.empty() || text.size() % 4 != 0 || padding > 2 ||
      !std::all_of(text.begin(), text.end() - static_cast<std::ptrdiff_t>(padding), is_base64_char)) {
    return std::nullopt;
  }
  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  return std::string(out.begin(), out.begin() + (n - static_cast<int>(padding)));
}

}  // namespace

bool is_admin_path(std::string_view path) {
  return path == "/metrics" || path == "/" || path == "/status" || path.starts_with("/admin/");
}

access check_access(std::optional<std::string_view> authorization, const std::optional<std::string>& key) {
  if (!key) return access::granted;
  if (!authorization || authorization->empty()) return access::no_credentials;
  const auto credentials = http::parse_authorization(*authorization);
  if (!credentials) return access::wrong_credentials;
  const auto granted_if = [&](std::string_view presented) {
    return http::constant_time_equal(presented, *key) ? access::granted : access::wrong_credentials;
  };
  if (credentials->is("Bearer")) return granted_if(credentials->token);
  if (!credentials->is("Basic")) return access::wrong_credentials;
  // user-id ":" password: the user name cannot hold a colon, the password (the key) may.
  const auto pair = decode_base64(credentials->token);
  const auto colon = pair ? pair->find(':') : std::string::npos;
  if (colon == std::string::npos) return access::wrong_credentials;
  return granted_if(std::string_view(*pair).substr(colon + 1));
}

}  // namespace llmd::admin
