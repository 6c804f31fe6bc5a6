// What a collected family's callback writes its samples to at scrape time: values kept elsewhere
// (in-flight requests, free slots, queue length, each an atomic its owner updates) become sample
// lines of the family, in the order written.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace llmd::metrics {

class sample_writer {
 public:
  // The registry makes one per collected family and scrape; `out` is the text being rendered.
  sample_writer(std::string& out, std::string_view name, std::span<const std::string> label_names) noexcept
      : out_(out), name_(name), label_names_(label_names) {}

  // Throws std::invalid_argument when the number of values is not the number of labels.
  void write(std::initializer_list<std::string_view> label_values, double value);
  void write(std::span<const std::string_view> label_values, double value);

 private:
  std::string& out_;
  std::string_view name_;
  std::span<const std::string> label_names_;
};

}  // namespace llmd::metrics
