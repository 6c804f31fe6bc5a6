// `routing`: how a request's replica is chosen among the replicas of its group. Process-wide.
// A policy names a mix of scorers; `scorers` spells one out. Each scorer is one file in router/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmd::config {

enum class scorer_kind {
  load,    // fewest requests in flight per unit of weight
  slow,    // not slow (see slow_factor)
  random,  // a weighted draw
};

struct scorer_weight {
  scorer_kind kind;
  double weight;
  bool operator==(const scorer_weight&) const = default;
};

// The mix of the default routing, without a `routing` key.
std::vector<scorer_weight> default_scorers();

struct routing_settings {
  std::string policy = "default";  // a policy's name, "scorers" for an explicit mix, or "default"
  std::vector<scorer_weight> scorers = default_scorers();
};

std::string_view name_of(scorer_kind kind);
std::optional<scorer_kind> scorer_named(std::string_view name);
// The mix a policy stands for; nullopt for an unknown name.
std::optional<std::vector<scorer_weight>> policy_scorers(std::string_view policy);
// The names `policy` accepts, for messages.
std::string policy_names();
std::string scorer_names();

}  // namespace llmd::config
