#include "reader.hpp"

#include <algorithm>

#include "detail.hpp"

namespace llmd::config::detail {

int line_of(const YAML::Node& node) {
  const auto mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string item_path(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

const field* members::get(std::string_view key) const {
  for (const auto& [name, value] : items_) {
    if (name == key) return &value;
  }
  return nullptr;
}

void reader::report(std::string path, int line, std::string message) {
  problems_.push_back(problem{.path = std::move(path), .message = std::move(message), .line = line});
}

std::vector<field> items(const field& sequence) {
  std::vector<field> out;
  for (const auto& node : sequence.node) {
    out.push_back(field{.node = node, .path = item_path(sequence.path, out.size()), .line = line_of(node)});
  }
  return out;
}

void reader::warn(std::string path, int line, std::string message) {
  warnings_.push_back(problem{.path = std::move(path), .message = std::move(message), .line = line});
}

std::optional<members> reader::map(const field& at) {
  if (!at.node.IsMap()) {
    report(at, "must be a map");
    return std::nullopt;
  }
  members out;
  for (const auto& kv : at.node) {
    const int line = line_of(kv.first);
    if (!kv.first.IsScalar()) {
      report(at.path, line, "keys must be strings");
      continue;
    }
    const auto& key = kv.first.Scalar();
    auto path = child_path(at.path, key);
    if (out.get(key)) {
      report(std::move(path), line, "duplicate key");
      continue;
    }
    out.add(key, field{.node = kv.second, .path = std::move(path), .line = line});
  }
  return out;
}

std::optional<members> reader::map(const field& at, std::span<const std::string_view> known) {
  auto all = map(at);
  if (!all) return std::nullopt;
  members kept;
  for (const auto& [key, value] : *all) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      report(value, "unknown key");
    } else {
      kept.add(key, value);
    }
  }
  return kept;
}

std::optional<std::string> reader::text(const field* at) {
  if (!at) return std::nullopt;
  return scalar(*at, "must be a string");
}

std::optional<std::string> reader::non_empty_text(const field* at) {
  if (!at) return std::nullopt;
  if (at->node.IsNull()) {
    report(*at, "must not be empty");
    return std::nullopt;
  }
  auto value = text(at);
  if (value && value->empty()) {
    report(*at, "must not be empty");
    return std::nullopt;
  }
  return value;
}

std::optional<int> reader::positive_int(const field* at) { return integer(at, 1, "must be a positive integer"); }

std::optional<int> reader::non_negative_int(const field* at) {
  return integer(at, 0, "must be a non-negative integer");
}

std::optional<duration> reader::positive_duration(const field* at) {
  return positive<duration>(at, parse_duration, "must be a duration such as 250ms, 2s or 5m");
}

std::optional<std::size_t> reader::positive_size(const field* at) {
  return positive<std::size_t>(at, parse_size, "must be a size such as 512KiB, 16MiB or 1000000");
}

std::optional<double> reader::number_above_one(const field* at) {
  const auto above_one = [](std::string_view text) -> std::optional<double> {
    const auto number = parse_decimal(text);
    if (!number || *number <= 1) return std::nullopt;
    return number;
  };
  return parsed<double>(at, above_one, "must be a number greater than 1");
}

std::optional<double> reader::non_negative_number(const field* at) {
  return parsed<double>(at, parse_decimal, "must be a number of 0 or more such as 1 or 0.5");
}

std::optional<double> reader::percent(const field* at) {
  return parsed<double>(at, parse_percent, "must be a percentage from 0 to 100 such as 20%");
}

// YAML 1.2's core schema spellings only: yes, no, on and off are not booleans there.
std::optional<bool> reader::boolean(const field* at) {
  const auto as_bool = [](std::string_view text) -> std::optional<bool> {
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    return std::nullopt;
  };
  return parsed<bool>(at, as_bool, "must be true or false");
}

std::optional<std::string> reader::scalar(const field& at, std::string_view type_message) {
  if (!at.node.IsScalar()) {
    report(at, std::string(type_message));
    return std::nullopt;
  }
  auto expanded = expand_env(at.node.Scalar(), env_);
  for (const auto& name : expanded.missing) report(at, "environment variable " + name + " is not set");
  if (!expanded.missing.empty()) return std::nullopt;
  return std::move(expanded.text);
}

template <typename T, typename Parse>
std::optional<T> reader::parsed(const field* at, Parse parse, std::string_view message) {
  if (!at) return std::nullopt;
  const auto value = scalar(*at, message);
  if (!value) return std::nullopt;
  std::optional<T> out = parse(*value);
  if (!out) report(*at, std::string(message));
  return out;
}

std::optional<int> reader::integer(const field* at, int lowest, std::string_view message) {
  const auto at_least = [lowest](std::string_view text) -> std::optional<int> {
    const auto number = parse_int(text);
    if (!number || *number < lowest) return std::nullopt;
    return number;
  };
  return parsed<int>(at, at_least, message);
}

template <typename T, typename Parse>
std::optional<T> reader::positive(const field* at, Parse parse, std::string_view message) {
  std::optional<T> out = parsed<T>(at, parse, message);
  if (out && *out == T{}) {
    report(*at, "must be greater than zero");
    out.reset();
  }
  return out;
}

}  // namespace llmd::config::detail
