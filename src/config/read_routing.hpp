// The top-level `routing` map.
#pragma once

#include "llmd/config/routing.hpp"
#include "reader.hpp"

namespace llmd::config::detail {

// `policy: NAME` or `scorers: {NAME: WEIGHT, ...}`, not both; absent: `out` keeps the default.
void read_routing(reader& r, const field* at, routing_settings& out);

}  // namespace llmd::config::detail
