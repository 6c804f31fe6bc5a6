#include "parse.hpp"

#include <charconv>
#include <cmath>

namespace llmd::mock {

std::optional<duration> parse_duration(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data() || !(value >= 0)) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  double micros_per_unit = 0;
  if (unit.empty() || unit == "ms") micros_per_unit = 1e3;
  else if (unit == "us") micros_per_unit = 1;
  else if (unit == "s") micros_per_unit = 1e6;
  else if (unit == "m") micros_per_unit = 60e6;
  else return std::nullopt;
  double micros = std::round(value * micros_per_unit);
  if (micros > 1e12) return std::nullopt;  // beyond ~11 days is a typo, not a test scenario
  return duration(static_cast<duration::rep>(micros));
}

std::optional<int> parse_int(std::string_view text, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

}  // namespace llmd::mock
