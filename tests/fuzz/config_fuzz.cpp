// A config file's text through config::parse, as `llm-d --check-config` and every start and
// reload read it. ${VAR} is set to 1 (a valid string, host, port, count and duration alike), but
// for names that start with MISSING, which are unset.
//
// Oracle: parse returns (no exception, no hang); a config comes back exactly when no problem
// does; every problem says what is wrong, on a line of the text or on none (0).
#include <algorithm>
#include <cstdint>
#include <exception>
#include <string>

#include "llmd/config/parse.hpp"
#include "oracle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llmd::fuzz;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name.starts_with("MISSING")) return std::nullopt;
    return "1";
  };
  llmd::config::parse_result result;
  try {
    result = llmd::config::parse(text, env);
  } catch (const std::exception& e) {
    fail("config::parse threw", e.what());
  }
  check(result.value.has_value() == result.problems.empty(), "a config comes back with problems, or neither",
        std::string(text));
  // yaml-cpp counts a lone CR as a line break too.
  const auto lines = std::count_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }) + 1;
  for (const auto& p : result.problems) {
    check(!p.message.empty(), "a problem without a message", p.to_string());
    check(p.line >= 0 && p.line <= lines, "a problem on a line the text does not have", p.to_string());
  }
  return 0;
}
