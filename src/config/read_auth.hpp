// The top-level `auth` map.
#pragma once

#include <string>
#include <vector>

#include "llmd/config/auth.hpp"
#include "reader.hpp"

namespace llmd::config::detail {

// `keys:` with at least one key; each key's `models` must name groups of `groups`.
void read_auth(reader& r, const field* at, const std::vector<std::string>& groups, auth_settings& out);

}  // namespace llmd::config::detail
