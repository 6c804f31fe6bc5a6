// Client keys: who may call the API, which groups each may ask for, and how fast.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmd::config {

// A key is kept only as its SHA-256: the config never holds it in the clear.
using key_digest = std::array<unsigned char, 32>;

key_digest digest_of(std::string_view key);

struct client_key {
  key_digest digest{};
  std::string name;                                // what logs and metrics show
  std::optional<std::vector<std::string>> models;  // group names; nullopt: every group
  std::optional<int> rpm;                          // requests per minute; nullopt: no limit
  std::optional<int> tpm;                          // tokens (prompt and completion) per minute
};

// Without keys the API is open to anyone who reaches the listener.
struct auth_settings {
  std::vector<client_key> keys;
  bool enabled() const { return !keys.empty(); }
};

}  // namespace llmd::config
