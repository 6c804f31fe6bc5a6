// The client keys of one config as requests meet them: each found by its digest, with the groups
// it may ask for, its model list and its quota. A quota belongs to the key's name and carries
// over to the next config, so a reload neither refills nor empties a bucket.
#pragma once

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "llmd/api/models.hpp"
#include "llmd/config/config.hpp"
#include "llmd/proxy/rate_limit.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::proxy {

struct key_quota {
  rate_limit requests;
  rate_limit tokens;
};

struct client {
  client(const config::config& cfg, const config::client_key& key, int index, const router::backend_pool& pool,
         std::shared_ptr<key_quota> quota);

  const config::client_key& settings;
  int index;                  // in the config's keys
  std::vector<bool> groups;   // by group index: whether the key may ask for it
  std::shared_ptr<key_quota> quota;
  api::model_catalog catalog;  // what /v1/models shows the key

  std::string_view name() const { return settings.name; }
  bool may_use(int group) const { return groups[static_cast<std::size_t>(group)]; }
};

class client_keys {
 public:
  // `cfg` and `pool` must outlive it; quotas of keys `previous` knows by name are taken over.
  client_keys(const config::config& cfg, const router::backend_pool& pool, const client_keys* previous);
  client_keys(const client_keys&) = delete;
  client_keys& operator=(const client_keys&) = delete;

  bool enabled() const { return !clients_.empty(); }
  // The key with this digest; null for none.
  const client* find(const config::key_digest& digest) const;
  const std::vector<std::unique_ptr<client>>& all() const { return clients_; }

 private:
  struct digest_hash {
    std::size_t operator()(const config::key_digest& d) const;
  };
  std::vector<std::unique_ptr<client>> clients_;
  struct digest_equal {
    bool operator()(const config::key_digest& a, const config::key_digest& b) const;
  };
  std::unordered_map<config::key_digest, const client*, digest_hash, digest_equal> by_digest_;
};

}  // namespace llmd::proxy
