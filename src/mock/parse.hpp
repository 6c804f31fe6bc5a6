// Parsing of the scalar values shared by flags, x-mock-* headers and POST /mock/config.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace llmd::mock {

using duration = std::chrono::microseconds;

// "250ms", "1.5s", "500us", "2m" or a bare number of milliseconds ("0", "20").
std::optional<duration> parse_duration(std::string_view text);

// A decimal integer within [min, max].
std::optional<int> parse_int(std::string_view text, int min, int max);

// "1"/"true"/"yes"/"on" or "0"/"false"/"no"/"off".
std::optional<bool> parse_bool(std::string_view text);

}  // namespace llmd::mock
