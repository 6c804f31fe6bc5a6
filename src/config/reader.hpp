// Typed reading of YAML values with their paths and lines; every misfit becomes a problem.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmd/config/parse.hpp"

namespace llmd::config::detail {

int line_of(const YAML::Node& node);
std::string child_path(const std::string& path, std::string_view key);
std::string item_path(const std::string& path, std::size_t index);

// A value with its place in the file. A map value is reported at its key's line: an empty value
// has no place of its own, and a block map or sequence starts on the line after its key.
struct field {
  YAML::Node node;
  std::string path;
  int line = 0;
};

// The items of a sequence, each with its path and line.
std::vector<field> items(const field& sequence);

// A map's keys in file order, each at most once.
class members {
 public:
  void add(std::string key, field value) { items_.emplace_back(std::move(key), std::move(value)); }
  const field* get(std::string_view key) const;
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::pair<std::string, field>> items_;
};

// Reads typed values out of fields, expanding ${VAR} in scalars first. Every nullopt returned
// for a present field comes with a recorded problem; an absent field (nullptr) gives nullopt
// silently, so callers keep their defaults.
class reader {
 public:
  explicit reader(const env_lookup& env) : env_(env) {}
  const env_lookup& env() const { return env_; }

  void report(std::string path, int line, std::string message);
  void report(const field& at, std::string message) { report(at.path, at.line, std::move(message)); }
  // Something valid but risky, kept apart from the problems: it does not make the config invalid.
  void warn(std::string path, int line, std::string message);

  // Any keys; duplicates and non-scalar keys are reported and left out.
  std::optional<members> map(const field& at);
  // Only the `known` keys; the others are reported as unknown.
  std::optional<members> map(const field& at, std::span<const std::string_view> known);

  std::optional<std::string> text(const field* at);
  std::optional<std::string> non_empty_text(const field* at);
  std::optional<int> positive_int(const field* at);
  std::optional<int> non_negative_int(const field* at);
  std::optional<duration> positive_duration(const field* at);
  std::optional<std::size_t> positive_size(const field* at);
  std::optional<double> number_above_one(const field* at);
  std::optional<double> non_negative_number(const field* at);
  std::optional<double> percent(const field* at);
  std::optional<bool> boolean(const field* at);

  std::size_t problem_count() const { return problems_.size(); }
  std::vector<problem> take_problems() { return std::move(problems_); }
  std::vector<problem> take_warnings() { return std::move(warnings_); }

 private:
  std::optional<std::string> scalar(const field& at, std::string_view type_message);
  // The scalar at `at` through `parse`; `message` when it is not a scalar or `parse` gives nullopt.
  template <typename T, typename Parse>
  std::optional<T> parsed(const field* at, Parse parse, std::string_view message);
  std::optional<int> integer(const field* at, int lowest, std::string_view message);
  template <typename T, typename Parse>
  std::optional<T> positive(const field* at, Parse parse, std::string_view message);

  const env_lookup& env_;
  std::vector<problem> problems_;
  std::vector<problem> warnings_;
};

}  // namespace llmd::config::detail
