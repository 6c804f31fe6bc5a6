#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "llmd/config/parse.hpp"

namespace llmd::config::testing {

using env_map = std::map<std::string, std::string>;

inline env_lookup env_from(env_map vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline parse_result parse_with(std::string_view yaml, env_map vars = {}) {
  return parse(yaml, env_from(std::move(vars)));
}

inline std::vector<std::string> messages(const parse_result& result) {
  std::vector<std::string> out;
  for (const auto& p : result.problems) out.push_back(p.to_string());
  return out;
}

using lines = std::vector<std::string>;

// The seed file, verbatim.
inline constexpr std::string_view seed_yaml = R"(models:
  - name: primary
    endpoint: http://localhost:8001/v1/chat/completions
    max_concurrent: 4
  - name: fallback
    endpoint: http://localhost:8002/v1/chat/completions
    max_concurrent: 8
)";

// A valid one-entry file to append top-level keys to.
inline constexpr std::string_view one_model = R"(models:
  - name: a
    endpoint: http://localhost:8001
)";

// one_model followed by `top_level`, which thus starts on line 4.
inline std::string with_models(std::string_view top_level) { return std::string(one_model) + std::string(top_level); }

}  // namespace llmd::config::testing
