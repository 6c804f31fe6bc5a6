// The pieces of the Prometheus text exposition format 0.0.4 the registry renders with: name
// rules, escaping of help text and label values, and number formatting. Exposed so that other
// code writing the format (or checking names) follows the same rules.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace llmd::metrics {

inline constexpr std::string_view text_content_type = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name) noexcept;
// [a-zA-Z_][a-zA-Z0-9_]* and not starting with "__" (reserved for Prometheus itself). Colons are
// for metric names only.
bool is_valid_label_name(std::string_view name) noexcept;

// Help text: backslash and newline escaped, every other byte as it is.
void append_escaped_help(std::string& out, std::string_view text);
// Label value: backslash, double quote and newline escaped, every other byte as it is.
void append_escaped_label_value(std::string& out, std::string_view value);
// `a="x",b="y"` (no braces); `names` and `values` have the same size.
void append_labels(std::string& out, std::span<const std::string> names, std::span<const std::string_view> values);
void append_labels(std::string& out, std::span<const std::string> names, std::span<const std::string> values);

// The shortest decimal that reads back as the same double, written the way Go's
// strconv.FormatFloat(v, 'g', -1, 64) (and so the Prometheus client libraries) does: `0.005`,
// `1`, `120`, `100000`, `1e+06`, `5e-05`; `NaN`, `+Inf`, `-Inf`.
void append_value(std::string& out, double value);
void append_value(std::string& out, std::uint64_t value);

}  // namespace llmd::metrics
