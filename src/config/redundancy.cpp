// Warnings about fallback chains that are valid but leave a group exposed: with one replica and
// nothing behind it, one failure is an outage; behind it, a fallback with fewer slots cannot take
// its load. They use the chains the router will follow (chains.hpp).
#include <algorithm>
#include <cstdint>

#include "llmd/config/chains.hpp"
#include "replicas.hpp"

namespace llmd::config::detail {

namespace {

struct group_facts {
  std::size_t first = 0;      // index of its first entry
  std::size_t replicas = 0;
  std::int64_t slots = 0;     // the sum of its replicas' max_concurrent
};

std::vector<group_facts> facts_of(const std::vector<model_entry>& models, const std::vector<std::string>& names) {
  std::vector<group_facts> out(names.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto g = static_cast<std::size_t>(std::find(names.begin(), names.end(), models[i].name) - names.begin());
    if (out[g].replicas++ == 0) out[g].first = i;
    out[g].slots += models[i].max_concurrent;
  }
  return out;
}

std::string slots_of(const std::string& name, std::int64_t slots) {
  return "'" + name + "' (" + std::to_string(slots) + " slots)";
}

}  // namespace

void warn_about_chains(reader& r, const std::vector<model_entry>& models, const std::vector<entry_place>& places) {
  const auto names = group_names(models);
  const auto chains = build_chains(models);
  const auto facts = facts_of(models, names);
  for (std::size_t g = 0; g < names.size(); ++g) {
    const auto& at = places[facts[g].first];
    if (facts[g].replicas == 1 && chains[g].size() == 1) {
      r.warn(at.path, at.line, "group '" + names[g] + "' has one replica and no fallback: one failure from an outage");
    }
  }
  // At the fallback's first entry: that is the group to enlarge.
  for (std::size_t g = 0; g < names.size(); ++g) {
    for (std::size_t k = 1; k < chains[g].size(); ++k) {
      const auto f = static_cast<std::size_t>(chains[g][k]);
      if (facts[f].slots >= facts[g].slots) continue;
      const auto& at = places[facts[f].first];
      r.warn(at.path, at.line,
             "fallback group " + slots_of(names[f], facts[f].slots) + " backs up group " +
                 slots_of(names[g], facts[g].slots) + " with fewer slots: it cannot take that group's load");
    }
  }
}

}  // namespace llmd::config::detail
