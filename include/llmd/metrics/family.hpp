// Labelled families of counters and histograms: `with(values)` gives the series for one set of
// label values (one per label name, in the family's order), creating it on first use. Series are
// never removed, so the references handed out stay valid as long as the registry. A thread with a
// shard (set_thread_shard) finds a series it has used before in a cache of its own, without a
// lock; a first use, or a thread without a shard, goes through the family's mutex.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>

#include "llmd/metrics/counter.hpp"
#include "llmd/metrics/histogram.hpp"

namespace llmd::metrics {

class registry;

namespace detail {
template <class Metric>
class family_impl;
}  // namespace detail

class counter_family {
 public:
  ~counter_family();
  counter_family(const counter_family&) = delete;
  counter_family& operator=(const counter_family&) = delete;

  // Throws std::invalid_argument when the number of values is not the number of labels.
  counter& with(std::initializer_list<std::string_view> values);
  counter& with(std::span<const std::string_view> values);

 private:
  friend class registry;
  explicit counter_family(std::unique_ptr<detail::family_impl<counter>> impl);
  std::unique_ptr<detail::family_impl<counter>> impl_;
};

class histogram_family {
 public:
  ~histogram_family();
  histogram_family(const histogram_family&) = delete;
  histogram_family& operator=(const histogram_family&) = delete;

  // Throws std::invalid_argument when the number of values is not the number of labels.
  histogram& with(std::initializer_list<std::string_view> values);
  histogram& with(std::span<const std::string_view> values);

 private:
  friend class registry;
  explicit histogram_family(std::unique_ptr<detail::family_impl<histogram>> impl);
  std::unique_ptr<detail::family_impl<histogram>> impl_;
};

}  // namespace llmd::metrics
