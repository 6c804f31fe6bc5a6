// The `tls` map of `defaults` and of entries, and the top-level `listen_tls`.
#pragma once

#include <optional>

#include "reader.hpp"

namespace llmd::config::detail {

// Reads `tls` over `out`, which holds the inherited settings, key by key. Returns where this map
// writes insecure_skip_verify, when it does, for the warning about it.
std::optional<field> read_tls(reader& r, const field* at, tls_settings& out);

std::optional<listen_tls_settings> read_listen_tls(reader& r, const field* at);

}  // namespace llmd::config::detail
