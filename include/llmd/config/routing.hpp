// `routing`: how a request's replica is chosen among the replicas of its group. Process-wide.
// A policy names a mix of scorers; `scorers` spells one out. Each scorer is one file in router/.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmd::config {

enum class scorer_kind {
  load,    // fewest requests in flight per unit of weight
  slow,    // not slow (see slow_factor)
  random,  // a weighted draw
  prefix,    // the longest run of the prompt's leading blocks sent to it before
  queue,     // the engine's own queue, from its metrics
  kv_cache,  // room left in the engine's KV cache, from its metrics
};

struct scorer_weight {
  scorer_kind kind;
  double weight;
  bool operator==(const scorer_weight&) const = default;
};

// The mix of the default routing, without a `routing` key.
std::vector<scorer_weight> default_scorers();

// Prefix affinity: the prompt in blocks, an index of which replica was sent which, and the load
// guard, past which affinity yields: a replica holding more than `guard_factor` times the
// requests of the least busy one plus `guard_margin` scores no affinity.
struct prefix_settings {
  std::size_t block_size = 256;
  std::size_t max_entries = 100000;
  double guard_factor = 2;
  int guard_margin = 4;
  bool operator==(const prefix_settings&) const = default;
};

struct routing_settings {
  std::string policy = "default";  // a policy's name, "scorers" for an explicit mix, or "default"
  std::vector<scorer_weight> scorers = default_scorers();
  prefix_settings prefix;
  // Requests with the same value of this header stick to one replica; "": no sessions.
  std::string session_header = "x-session-id";
  bool uses(scorer_kind kind) const;
};

std::string_view name_of(scorer_kind kind);
std::optional<scorer_kind> scorer_named(std::string_view name);
// The mix a policy stands for; nullopt for an unknown name.
std::optional<std::vector<scorer_weight>> policy_scorers(std::string_view policy);
// The names `policy` accepts, for messages.
std::string policy_names();
std::string scorer_names();

}  // namespace llmd::config
