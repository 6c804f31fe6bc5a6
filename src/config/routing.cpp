#include "llmd/config/routing.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "read_routing.hpp"

namespace llmd::config {

namespace {

using enum scorer_kind;

constexpr std::array<std::pair<std::string_view, scorer_kind>, 6> scorers_by_name = {{
    {"load", load},
    {"slow", slow},
    {"random", random},
    {"prefix", prefix},
    {"queue", queue},
    {"kv_cache", kv_cache},
}};

// A slow replica's score is 0 where another's is 1; at 0.65 of the load's weight, a slow replica
// takes a new request when the others carry about four times its load (see docs/routing.md).
constexpr double slow_weight = 0.65;
// A replica holding the whole prompt scores 2 above one holding none, more than `load` can make
// up (at most 1): affinity wins until the load guard says the replica is too busy.
constexpr double prefix_weight = 2;

struct policy {
  std::string_view name;
  std::vector<scorer_weight> scorers;
};

const std::vector<policy>& policies() {
  static const std::vector<policy> all = {
      {"round_robin", {}},
      {"random", {{random, 1}}},
      {"least_loaded", {{load, 1}, {slow, slow_weight}}},
      {"prefix_affinity", {{prefix, prefix_weight}, {load, 1}}},
  };
  return all;
}

template <typename List, typename Name>
std::string joined(const List& list, Name name) {
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : ", ") + std::string(name(item));
  return out;
}

constexpr std::array<std::string_view, 4> routing_keys = {"policy", "scorers", "prefix", "session_header"};
constexpr std::array<std::string_view, 4> prefix_keys = {"block_size", "max_entries", "guard_factor", "guard_margin"};

}  // namespace

std::vector<scorer_weight> default_scorers() {
  return {{load, 1}, {slow, slow_weight}, {prefix, prefix_weight}, {queue, 1}, {kv_cache, 1}};
}

bool routing_settings::uses(scorer_kind kind) const {
  return std::any_of(scorers.begin(), scorers.end(), [&](const scorer_weight& s) { return s.kind == kind; });
}

std::string_view name_of(scorer_kind kind) {
  for (const auto& [name, k] : scorers_by_name) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<scorer_kind> scorer_named(std::string_view name) {
  for (const auto& [n, kind] : scorers_by_name) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::optional<std::vector<scorer_weight>> policy_scorers(std::string_view name) {
  for (const auto& p : policies()) {
    if (p.name == name) return p.scorers;
  }
  return std::nullopt;
}

std::string policy_names() {
  return joined(policies(), [](const policy& p) { return p.name; });
}

std::string scorer_names() {
  return joined(scorers_by_name, [](const auto& item) { return item.first; });
}

namespace detail {

namespace {

std::optional<std::vector<scorer_weight>> read_scorers(reader& r, const field& at) {
  const auto m = r.map(at);
  if (!m) return std::nullopt;
  std::vector<scorer_weight> mix;
  bool sound = true;
  for (const auto& [name, value] : *m) {
    const auto kind = scorer_named(name);
    if (!kind) {
      r.report(value, "unknown scorer \"" + name + "\"; known scorers: " + scorer_names());
      sound = false;
      continue;
    }
    const auto weight = r.non_negative_number(&value);
    if (!weight) {
      sound = false;
      continue;
    }
    if (*weight > 0) mix.push_back({*kind, *weight});
  }
  if (!sound) return std::nullopt;
  return mix;
}

void read_prefix(reader& r, const field* at, prefix_settings& out) {
  if (!at) return;
  const auto m = r.map(*at, prefix_keys);
  if (!m) return;
  if (auto n = r.positive_int(m->get("block_size"))) out.block_size = static_cast<std::size_t>(*n);
  if (auto n = r.positive_int(m->get("max_entries"))) out.max_entries = static_cast<std::size_t>(*n);
  if (auto f = r.non_negative_number(m->get("guard_factor"))) out.guard_factor = *f;
  if (auto n = r.non_negative_int(m->get("guard_margin"))) out.guard_margin = *n;
}

}  // namespace

void read_routing(reader& r, const field* at, routing_settings& out) {
  if (!at) return;
  const auto m = r.map(*at, routing_keys);
  if (!m) return;
  read_prefix(r, m->get("prefix"), out.prefix);
  if (auto header = r.text(m->get("session_header"))) out.session_header = *header;
  const field* policy = m->get("policy");
  const field* scorers = m->get("scorers");
  if (policy && scorers) {
    r.report(*scorers, "set either routing.policy or routing.scorers, not both");
    return;
  }
  if (policy) {
    const auto name = r.non_empty_text(policy);
    if (!name) return;
    auto mix = policy_scorers(*name);
    if (!mix) {
      r.report(*policy, "unknown routing policy \"" + *name + "\"; known policies: " + policy_names());
      return;
    }
    out.policy = *name;
    out.scorers = std::move(*mix);
  } else if (scorers) {
    auto mix = read_scorers(r, *scorers);
    if (!mix) return;
    out.policy = "scorers";
    out.scorers = std::move(*mix);
  }
}

}  // namespace detail

}  // namespace llmd::config
