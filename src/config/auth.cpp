#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "llmd/config/auth.hpp"
#include "detail.hpp"
#include "read_auth.hpp"

namespace llmd::config {

namespace {

using detail::field;

constexpr std::array<std::string_view, 1> auth_keys = {"keys"};
constexpr std::array<std::string_view, 5> client_key_keys = {"key", "name", "models", "rpm", "tpm"};
constexpr std::string_view digest_prefix = "sha256:";
// Shorter keys are accepted with a warning: they can be guessed.
constexpr std::size_t short_key = 16;
constexpr std::size_t max_name = 64;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<key_digest> parse_hex_digest(std::string_view hex) {
  key_digest out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return out;
}

// `sha256:HEX` as written, or the key itself (usually from ${VAR}) hashed here.
std::optional<key_digest> read_key_digest(detail::reader& r, const field* at) {
  const auto text = r.non_empty_text(at);
  if (!text) return std::nullopt;
  if (text->starts_with(digest_prefix)) {
    auto digest = parse_hex_digest(std::string_view(*text).substr(digest_prefix.size()));
    if (!digest) r.report(*at, "sha256: must be followed by 64 hexadecimal digits");
    return digest;
  }
  if (text->size() < short_key) {
    r.warn(at->path, at->line, "is shorter than " + std::to_string(short_key) + " characters and easy to guess");
  }
  return digest_of(*text);
}

// Names go into metric labels and log lines as they are.
std::optional<std::string> read_name(detail::reader& r, const field* at) {
  auto name = r.non_empty_text(at);
  if (name && (name->size() > max_name || !std::all_of(name->begin(), name->end(), detail::is_name_char))) {
    r.report(*at, "must be at most " + std::to_string(max_name) + " letters, digits, '-', '_' or '.'");
    return std::nullopt;
  }
  return name;
}

std::optional<std::vector<std::string>> read_models(detail::reader& r, const field* at,
                                                    const std::vector<std::string>& groups) {
  if (!at) return std::nullopt;
  if (!at->node.IsSequence()) {
    r.report(*at, "must be a sequence of group names");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : detail::items(*at)) {
    auto group = r.non_empty_text(&item);
    if (!group) continue;
    if (std::find(groups.begin(), groups.end(), *group) == groups.end()) {
      r.report(item, "names no group: " + *group);
    } else {
      out.push_back(std::move(*group));
    }
  }
  return out;
}

std::optional<client_key> read_client_key(detail::reader& r, const field& at, const std::vector<std::string>& groups) {
  const auto m = r.map(at, client_key_keys);
  if (!m) return std::nullopt;
  const field* key_at = m->get("key");
  const field* name_at = m->get("name");
  if (!key_at) r.report(at, "needs a key");
  if (!name_at) r.report(at, "needs a name");
  const auto digest = read_key_digest(r, key_at);
  auto name = read_name(r, name_at);
  client_key out{.digest = {}, .name = {}, .models = read_models(r, m->get("models"), groups),
                 .rpm = r.positive_int(m->get("rpm")), .tpm = r.positive_int(m->get("tpm"))};
  if (!digest || !name) return std::nullopt;
  out.digest = *digest;
  out.name = std::move(*name);
  return out;
}

}  // namespace

// SHA256() would look the algorithm up in OpenSSL's providers on every call.
key_digest digest_of(std::string_view key) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  key_digest out{};
  EVP_Digest(key.data(), key.size(), out.data(), nullptr, sha256, nullptr);
  return out;
}

namespace detail {

void read_auth(reader& r, const field* at, const std::vector<std::string>& groups, auth_settings& out) {
  if (!at) return;
  const auto m = r.map(*at, auth_keys);
  if (!m) return;
  const field* keys = m->get("keys");
  if (!keys || !keys->node.IsSequence() || keys->node.size() == 0) {
    return r.report(keys ? *keys : *at, "needs a sequence of at least one key (keys:)");
  }
  for (const auto& item : items(*keys)) {
    auto key = read_client_key(r, item, groups);
    if (!key) continue;
    const auto same = [&](auto member) {
      return std::find_if(out.keys.begin(), out.keys.end(),
                          [&](const client_key& k) { return k.*member == (*key).*member; });
    };
    if (same(&client_key::digest) != out.keys.end()) {
      r.report(item, "holds the same key as " + same(&client_key::digest)->name);
    } else if (same(&client_key::name) != out.keys.end()) {
      r.report(item, "has the same name as another key: " + key->name);
    } else {
      out.keys.push_back(std::move(*key));
    }
  }
}

}  // namespace detail

}  // namespace llmd::config
