#include "llmd/proxy/client_keys.hpp"

#include <algorithm>
#include <cstring>

#include "llmd/http/authorization.hpp"

namespace llmd::proxy {

namespace {

std::vector<bool> groups_of(const config::client_key& key, const router::backend_pool& pool) {
  std::vector<bool> out;
  for (const auto& g : pool.groups()) {
    out.push_back(!key.models || std::find(key.models->begin(), key.models->end(), g.name) != key.models->end());
  }
  return out;
}

std::shared_ptr<key_quota> quota_named(std::string_view name, const client_keys* previous) {
  if (previous) {
    for (const auto& c : previous->all()) {
      if (c->name() == name) return c->quota;
    }
  }
  return std::make_shared<key_quota>();
}

}  // namespace

client::client(const config::config& cfg, const config::client_key& key, int at, const router::backend_pool& pool,
               std::shared_ptr<key_quota> q)
    : settings(key),
      index(at),
      groups(groups_of(key, pool)),
      quota(std::move(q)),
      catalog(cfg, [&pool, this](const std::string& group) {
        const auto g = pool.group_named(group);
        return g && may_use(*g);
      }) {}

// A digest is uniformly random already: its first bytes are a hash.
std::size_t client_keys::digest_hash::operator()(const config::key_digest& d) const {
  std::size_t out;
  std::memcpy(&out, d.data(), sizeof out);
  return out;
}

client_keys::client_keys(const config::config& cfg, const router::backend_pool& pool, const client_keys* previous) {
  const auto& keys = cfg.auth.keys;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    clients_.push_back(
        std::make_unique<client>(cfg, keys[i], static_cast<int>(i), pool, quota_named(keys[i].name, previous)));
    by_digest_.emplace(keys[i].digest, clients_.back().get());
  }
}

bool client_keys::digest_equal::operator()(const config::key_digest& a, const config::key_digest& b) const {
  const auto bytes = [](const config::key_digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  return http::constant_time_equal(bytes(a), bytes(b));
}

// Looked up by the digest of what the client sent, never by the key itself, and compared in
// constant time: the lookup's timing tells nothing of a key.
const client* client_keys::find(const config::key_digest& digest) const {
  const auto it = by_digest_.find(digest);
  return it == by_digest_.end() ? nullptr : it->second;
}

}  // namespace llmd::proxy
