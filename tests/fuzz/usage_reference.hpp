// The token usage of an upstream's answer as nlohmann/json reads it, to hold usage_scanner's
// one-pass reading against: the last "usage" object with a plausible count (an integer from 0 to
// 2^53), of a JSON document, or of the last event of a stream that has one.
#pragma once

#include <optional>
#include <string_view>

#include "llmd/proxy/usage_scanner.hpp"

namespace llmd::fuzz {

// nullopt when the answer cannot be judged so: not JSON (or events not all JSON or [DONE], or a
// stream ending mid-event), or beyond what the scanner says it reads (a key with an escape, two
// top-level "usage" keys, nesting past 128 levels). A judged answer without usage has none.
std::optional<proxy::token_usage> reference_usage(std::string_view body, proxy::body_format format);

bool operator==(const proxy::token_usage& a, const proxy::token_usage& b);

}  // namespace llmd::fuzz
