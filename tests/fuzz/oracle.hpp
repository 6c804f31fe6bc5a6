// What a fuzz target does when an oracle does not hold: it says what broke and aborts, so
// libFuzzer keeps the input as a crash.
#pragma once

#include <string_view>

namespace llmd::fuzz {

[[noreturn]] void fail(std::string_view what, std::string_view detail = {});

inline void check(bool holds, std::string_view what, std::string_view detail = {}) {
  if (!holds) fail(what, detail);
}

// Why `text` is not an OpenAI-shaped error ({"error": {"message": string, "type": string, ...}}),
// or empty when it is one.
std::string_view openai_error_problem(std::string_view text);

}  // namespace llmd::fuzz
