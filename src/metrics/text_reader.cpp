#include "llmd/metrics/text_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <limits>

namespace llmd::metrics {

namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool label_start(char c) { return name_start(c) && c != ':'; }
bool label_char(char c) { return label_start(c) || (c >= '0' && c <= '9'); }

// One line, without its newline.
class line_reader {
 public:
  explicit line_reader(std::string_view line) : p_(line.data()), end_(line.data() + line.size()) {}

  // A sample line: its metric name and value; false with `what` set when malformed.
  bool sample(std::string_view& name, double& value, std::string& what) {
    const char* start = p_;
    if (p_ == end_ || !name_start(*p_)) return fail(what, "expected a metric name");
    while (p_ != end_ && name_char(*p_)) ++p_;
    name = std::string_view(start, static_cast<std::size_t>(p_ - start));
    if (p_ != end_ && *p_ == '{' && !labels(what)) return false;
    if (!spaces()) return fail(what, "expected a space before the value");
    if (!number(value)) return fail(what, "expected a value (a number, NaN, +Inf or -Inf)");
    if (spaces() && p_ != end_) {
      std::int64_t timestamp;
      const auto [at, ec] = std::from_chars(p_, end_, timestamp);
      if (ec != std::errc()) return fail(what, "expected a timestamp in milliseconds");
      p_ = at;
      spaces();
    }
    if (p_ != end_) return fail(what, "unexpected text after the value");
    return true;
  }

 private:
  static bool fail(std::string& what, std::string_view message) {
    what = message;
    return false;
  }

  bool spaces() {
    const char* start = p_;
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t')) ++p_;
    return p_ != start;
  }

  // `{name="value",...}`, a trailing comma allowed; escapes \\, \" and \n in values.
  bool labels(std::string& what) {
    ++p_;
    for (;;) {
      spaces();
      if (p_ != end_ && *p_ == '}') {
        ++p_;
        return true;
      }
      if (p_ == end_ || !label_start(*p_)) return fail(what, "expected a label name");
      while (p_ != end_ && label_char(*p_)) ++p_;
      spaces();
      if (p_ == end_ || *p_++ != '=') return fail(what, "expected '=' after a label name");
      spaces();
      if (p_ == end_ || *p_++ != '"') return fail(what, "expected a quoted label value");
      for (;;) {
        if (p_ == end_) return fail(what, "unterminated label value");
        const char c = *p_++;
        if (c == '"') break;
        if (c != '\\') continue;
        if (p_ == end_ || (*p_ != '\\' && *p_ != '"' && *p_ != 'n')) return fail(what, "invalid escape in a label value");
        ++p_;
      }
      spaces();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        continue;
      }
      if (p_ == end_ || *p_ != '}') return fail(what, "expected ',' or '}' after a label");
    }
  }

  // Go's ParseFloat forms as Prometheus writes them: decimal or exponent, NaN, +Inf, -Inf.
  bool number(double& value) {
    const char* start = p_;
    while (p_ != end_ && *p_ != ' ' && *p_ != '\t') ++p_;
    std::string_view token(start, static_cast<std::size_t>(p_ - start));
    if (token == "NaN") {
      value = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (token == "+Inf" || token == "Inf") {
      value = std::numeric_limits<double>::infinity();
      return true;
    }
    if (token == "-Inf") {
      value = -std::numeric_limits<double>::infinity();
      return true;
    }
    if (token.starts_with('+')) token.remove_prefix(1);
    if (token.empty() || !(token.front() == '-' || token.front() == '.' || (token.front() >= '0' && token.front() <= '9'))) {
      return false;
    }
    const auto [at, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    return ec == std::errc() && at == token.data() + token.size();
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<read_failure> read_families(std::string_view text, std::span<const wanted_family> wanted,
                                          std::span<std::optional<double>> values) {
  std::fill(values.begin(), values.end(), std::nullopt);
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    line.remove_prefix(first);
    std::string_view name;
    double value = 0;
    std::string what;
    if (!line_reader(line).sample(name, value, what)) return read_failure{number, std::move(what)};
    if (std::isnan(value)) continue;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      if (wanted[i].name != name) continue;
      auto& v = values[i];
      v = !v ? value : wanted[i].how == combine::sum ? *v + value : std::max(*v, value);
    }
  }
  return std::nullopt;
}

}  // namespace llmd::metrics
