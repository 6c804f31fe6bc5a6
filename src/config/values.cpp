// Scalar value syntaxes: durations, sizes, integers, decimals and percentages, ${VAR} expansion and
// header text.
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <utility>

#include "detail.hpp"

namespace llmd::config {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_u64(std::string_view digits) {
  if (!all_digits(digits)) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// Where a number ("12", "1.5") ends and its unit begins.
std::size_t number_length(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && (is_digit(text[i]) || text[i] == '.')) ++i;
  return i;
}

// "1.5" in a unit of `scale` -> 1.5 * scale, truncated; nullopt when malformed or too large.
std::optional<std::uint64_t> scaled_decimal(std::string_view number, std::uint64_t scale) {
  const auto dot = number.find('.');
  const auto whole = parse_u64(number.substr(0, dot));
  if (!whole) return std::nullopt;
  std::uint64_t result = 0;
  if (__builtin_mul_overflow(*whole, scale, &result)) return std::nullopt;
  if (dot == std::string_view::npos) return result;

  // Nine digits are exact here: further ones cannot change a result truncated to whole units of
  // at most an hour's 3.6e6 milliseconds.
  const auto fraction = number.substr(dot + 1);
  if (!all_digits(fraction)) return std::nullopt;
  const auto kept = fraction.substr(0, 9);
  std::uint64_t denominator = 1;
  for (std::size_t i = 0; i < kept.size(); ++i) denominator *= 10;
  const std::uint64_t part = *parse_u64(kept) * scale / denominator;
  if (__builtin_add_overflow(result, part, &result)) return std::nullopt;
  return result;
}

std::optional<std::uint64_t> duration_unit_ms(std::string_view unit) {
  if (unit.empty() || unit == "s") return 1000;
  if (unit == "ms") return 1;
  if (unit == "m") return 60 * 1000;
  if (unit == "h") return 60 * 60 * 1000;
  return std::nullopt;
}

std::optional<std::uint64_t> size_unit_bytes(std::string_view unit) {
  if (unit.empty()) return 1;
  if (unit == "KiB") return 1ULL << 10;
  if (unit == "MiB") return 1ULL << 20;
  if (unit == "GiB") return 1ULL << 30;
  if (unit == "KB") return 1000;
  if (unit == "MB") return 1000 * 1000;
  if (unit == "GB") return 1000 * 1000 * 1000;
  return std::nullopt;
}

bool is_env_name(std::string_view name) {
  if (name.empty() || is_digit(name[0])) return false;
  for (char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

bool is_token_char(char c) {
  constexpr std::string_view specials = "!#$%&'*+-.^_`|~";
  return is_alpha(c) || is_digit(c) || specials.find(c) != std::string_view::npos;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::optional<duration> parse_duration(std::string_view text) {
  const auto split = number_length(text);
  const auto unit = duration_unit_ms(text.substr(split));
  if (!unit) return std::nullopt;
  const auto ms = scaled_decimal(text.substr(0, split), *unit);
  if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<duration::rep>::max())) return std::nullopt;
  return duration{static_cast<duration::rep>(*ms)};
}

std::optional<std::size_t> parse_size(std::string_view text) {
  const auto split = number_length(text);
  const auto unit = size_unit_bytes(text.substr(split));
  const auto count = parse_u64(text.substr(0, split));
  std::uint64_t bytes = 0;
  static_assert(sizeof(std::size_t) == sizeof(std::uint64_t));
  if (!unit || !count || __builtin_mul_overflow(*count, *unit, &bytes)) return std::nullopt;
  return bytes;
}

namespace detail {

std::optional<int> parse_int(std::string_view text) {
  const auto value = parse_u64(text);
  if (!value || *value > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
  return static_cast<int>(*value);
}

std::optional<double> parse_decimal(std::string_view text) {
  const auto dot = text.find('.');
  if (!all_digits(text.substr(0, dot))) return std::nullopt;
  if (dot != std::string_view::npos && !all_digits(text.substr(dot + 1))) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_percent(std::string_view text) {
  if (text.ends_with('%')) text.remove_suffix(1);
  const auto value = parse_decimal(text);
  if (!value || *value > 100) return std::nullopt;
  return value;
}

std::string format_duration(duration d) {
  constexpr std::array<std::pair<duration::rep, std::string_view>, 3> units = {
      {{60 * 60 * 1000, "h"}, {60 * 1000, "m"}, {1000, "s"}}};
  const auto ms = d.count();
  for (const auto& [size, name] : units) {
    if (ms != 0 && ms % size == 0) return std::to_string(ms / size) + std::string(name);
  }
  return std::to_string(ms) + "ms";
}

expansion expand_env(std::string_view text, const env_lookup& env) {
  expansion out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("${", pos);
    if (open == std::string_view::npos) break;
    out.text.append(text.substr(pos, open - pos));
    const auto close = text.find('}', open + 2);
    const auto name = close == std::string_view::npos ? std::string_view{} : text.substr(open + 2, close - open - 2);
    if (!is_env_name(name)) {
      out.text.append("${");
      pos = open + 2;
      continue;
    }
    if (auto value = env(std::string(name))) {
      out.text.append(*value);
    } else {
      out.missing.emplace_back(name);
    }
    pos = close + 1;
  }
  if (pos < text.size()) out.text.append(text.substr(pos));
  return out;
}

bool is_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

bool has_control_chars(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return true;
  }
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace detail

}  // namespace llmd::config
