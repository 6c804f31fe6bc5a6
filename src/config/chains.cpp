#include "llmd/config/chains.hpp"

#include <algorithm>

namespace llmd::config {

std::vector<std::string> group_names(const std::vector<model_entry>& models) {
  std::vector<std::string> names;
  for (const auto& m : models) {
    if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  }
  return names;
}

namespace {

int index_of(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

// A group's own fallbacks: the union over its replicas, in the order they are first named.
std::vector<std::vector<int>> direct_fallbacks(const std::vector<model_entry>& models,
                                               const std::vector<std::string>& names) {
  std::vector<std::vector<int>> direct(names.size());
  for (const auto& m : models) {
    if (!m.fallbacks) continue;
    auto& list = direct[index_of(names, m.name)];
    for (const auto& f : *m.fallbacks) {
      int g = index_of(names, f);
      if (g >= 0 && std::find(list.begin(), list.end(), g) == list.end()) list.push_back(g);
    }
  }
  return direct;
}

// Breadth-first over the fallback graph: nearer fallbacks come before their own fallbacks.
std::vector<int> follow(int start, const std::vector<std::vector<int>>& direct) {
  std::vector<int> chain{start};
  for (std::size_t i = 0; i < chain.size(); ++i) {
    for (int next : direct[chain[i]]) {
      if (std::find(chain.begin(), chain.end(), next) == chain.end()) chain.push_back(next);
    }
  }
  return chain;
}

}  // namespace

std::vector<std::vector<int>> build_chains(const std::vector<model_entry>& models) {
  const auto names = group_names(models);
  const bool declared = std::any_of(models.begin(), models.end(), [](const auto& m) { return m.fallbacks.has_value(); });
  std::vector<std::vector<int>> chains;
  chains.reserve(names.size());
  if (declared) {
    const auto direct = direct_fallbacks(models, names);
    for (int g = 0; g < static_cast<int>(names.size()); ++g) chains.push_back(follow(g, direct));
  } else {
    for (int g = 0; g < static_cast<int>(names.size()); ++g) {
      std::vector<int> chain;
      for (int n = g; n < static_cast<int>(names.size()); ++n) chain.push_back(n);
      chains.push_back(std::move(chain));
    }
  }
  return chains;
}

}  // namespace llmd::config
