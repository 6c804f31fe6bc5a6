// The model pool at run time: groups of replicas, their fallback chains and their slots.
//
// One backend_pool is shared by every worker thread; what changes per request (slots in use)
// is atomic, everything else is fixed at construction from an immutable config snapshot.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmd/config/config.hpp"
#include "llmd/router/slot_lease.hpp"

namespace llmd::router {

struct replica {
  const config::model_entry* entry = nullptr;
  std::string id;  // what x-llmd-backend says: the name, or name#k when the group has replicas
  int group = -1;
  std::atomic<int> in_flight{0};
};

struct group {
  std::string name;
  std::vector<int> replicas;  // indices into backend_pool::replica_at
  std::vector<int> chain;     // group indices: this group first, then its fallbacks
};

struct lease {
  slot_lease slot;
  replica* backend = nullptr;
  explicit operator bool() const { return static_cast<bool>(slot); }
};

class backend_pool {
 public:
  explicit backend_pool(std::shared_ptr<const config::config> cfg);

  const config::config& settings() const { return *cfg_; }
  const std::vector<group>& groups() const { return groups_; }
  replica& replica_at(int index) { return replicas_[index]; }
  int replica_count() const { return static_cast<int>(entry_count_); }

  // The group a request's `model` goes to: a group name, else the group of an entry whose
  // `model` it is, else default_model; nullopt when none applies.
  std::optional<int> resolve(std::string_view model) const;

  // A free slot on the replica of `group` with the fewest requests in flight per unit of
  // weight; an empty lease when every replica is full.
  lease try_acquire(int group);

  // True while some replica can take traffic (health comes with ejection).
  bool any_usable() const { return entry_count_ > 0; }

 private:
  std::shared_ptr<const config::config> cfg_;
  std::size_t entry_count_;
  std::unique_ptr<replica[]> replicas_;
  std::vector<group> groups_;
};

}  // namespace llmd::router
