// The top-level `cors` map.
#pragma once

#include <optional>

#include "llmd/config/config.hpp"
#include "reader.hpp"

namespace llmd::config::detail {

// `allow_origins: "*"` or a list of origins (scheme://host[:port]), and `max_age`.
std::optional<cors_settings> read_cors(reader& r, const field* at);

}  // namespace llmd::config::detail
