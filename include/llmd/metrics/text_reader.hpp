// Reading Prometheus text exposition (format 0.0.4), as a model server's /metrics gives it: the
// values of a few families, each combined across its series (label sets). Every line is parsed,
// comments, label values with escapes, NaN and ±Inf and timestamps included; one malformed line
// fails the whole reading, as it fails a Prometheus scrape.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace llmd::metrics {

enum class combine { sum, max };

struct wanted_family {
  std::string_view name;
  combine how;
};

struct read_failure {
  std::size_t line;  // 1-based
  std::string what;
};

// Into `values` (one per wanted family): the combined value of its samples, NaN samples left out;
// nullopt for a family without a sample. A failure leaves `values` unspecified.
std::optional<read_failure> read_families(std::string_view text, std::span<const wanted_family> wanted,
                                          std::span<std::optional<double>> values);

}  // namespace llmd::metrics
