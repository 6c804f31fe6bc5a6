#include "llmd/metrics/sample_writer.hpp"

#include <stdexcept>

#include "llmd/metrics/exposition.hpp"

namespace llmd::metrics {

void sample_writer::write(std::initializer_list<std::string_view> label_values, double value) {
  write(std::span(label_values.begin(), label_values.size()), value);
}

void sample_writer::write(std::span<const std::string_view> label_values, double value) {
  if (label_values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + std::string(name_) + " has " + std::to_string(label_names_.size()) +
                                " labels, given " + std::to_string(label_values.size()) + " values");
  }
  out_ += name_;
  if (!label_names_.empty()) {
    out_ += '{';
    append_labels(out_, label_names_, label_values);
    out_ += '}';
  }
  out_ += ' ';
  append_value(out_, value);
  out_ += '\n';
}

}  // namespace llmd::metrics
