#include "llmd/metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace llmd::metrics {

namespace {

bool is_letter_or_underscore(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Appends `text` with `escape(c)` (null for "as it is") applied byte by byte, copying the runs
// between escapes in one piece.
template <class Escape>
void append_escaped(std::string& out, std::string_view text, Escape escape) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (const char* replacement = escape(text[i])) {
      out.append(text, run, i - run);
      out += replacement;
      run = i + 1;
    }
  }
  out.append(text, run);
}

template <class Values>
void append_labels_of(std::string& out, std::span<const std::string> names, const Values& values) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += ',';
    out += names[i];
    out += "=\"";
    append_escaped_label_value(out, values[i]);
    out += '"';
  }
}

}  // namespace

bool is_valid_metric_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(is_letter_or_underscore(c) || c == ':' || (i != 0 && is_digit(c)))) return false;
  }
  return true;
}

bool is_valid_label_name(std::string_view name) noexcept {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(is_letter_or_underscore(c) || (i != 0 && is_digit(c)))) return false;
  }
  return true;
}

void append_escaped_help(std::string& out, std::string_view text) {
  append_escaped(out, text, [](char c) -> const char* {
    if (c == '\\') return "\\\\";
    if (c == '\n') return "\\n";
    return nullptr;
  });
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  append_escaped(out, value, [](char c) -> const char* {
    if (c == '\\') return "\\\\";
    if (c == '"') return "\\\"";
    if (c == '\n') return "\\n";
    return nullptr;
  });
}

void append_labels(std::string& out, std::span<const std::string> names, std::span<const std::string_view> values) {
  append_labels_of(out, names, values);
}

void append_labels(std::string& out, std::span<const std::string> names, std::span<const std::string> values) {
  append_labels_of(out, names, values);
}

void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[64];
  // The shortest digits, as d[.ddd]e±XX; Go's 'g' keeps that form when the exponent is below -4
  // or at least 6, and writes the same digits without an exponent otherwise.
  const auto sci = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific).ptr;
  const std::string_view text(buf, static_cast<std::size_t>(sci - buf));
  const auto e = text.find('e');
  const std::string_view exponent = text.substr(e + 1);
  int exp = 0;
  std::from_chars(exponent.data() + (exponent[0] == '+' ? 1 : 0), exponent.data() + exponent.size(), exp);
  if (exp < -4 || exp >= 6) {
    out += text;
    return;
  }
  const auto fixed = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed).ptr;
  out.append(buf, fixed);
}

void append_value(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out.append(buf, end);
}

}  // namespace llmd::metrics
