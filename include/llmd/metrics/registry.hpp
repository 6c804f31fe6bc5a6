// The metrics module: counters, histograms and collected gauges, rendered as Prometheus text
// (format 0.0.4) for `/metrics`. Writes are sharded the way the workers are (Envoy's per-worker
// stats): each worker thread calls set_thread_shard(i) once, then every counter add and histogram
// observation is a relaxed atomic add to a cache line that thread alone writes, with no lock and
// no allocation; a scrape sums the shards. Families and series are created once (at start, or on
// the first use of a label set) and live as long as the registry, so callers keep references.
// Gauges are not stored here: a collected family reads the atomics their owners already keep
// (in-flight requests, slots, queue length) at each scrape.
//
// Names and label names are checked when a family is registered, label values when a series is
// asked for; a bad one is a programming error and throws std::invalid_argument.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llmd/metrics/buckets.hpp"
#include "llmd/metrics/counter.hpp"
#include "llmd/metrics/exposition.hpp"
#include "llmd/metrics/family.hpp"
#include "llmd/metrics/histogram.hpp"
#include "llmd/metrics/sample_writer.hpp"
#include "llmd/metrics/shard.hpp"

namespace llmd::metrics {

enum class kind { counter, gauge, histogram };

class registry {
 public:
  // `shards`: the number of worker threads (0 is taken as 1).
  explicit registry(std::size_t shards);
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  std::size_t shards() const noexcept;

  // Each throws std::invalid_argument for an invalid or already registered name (histograms take
  // NAME, NAME_bucket, NAME_sum and NAME_count), an invalid or repeated label name, or a histogram
  // label named `le`.
  counter_family& counter(std::string name, std::string help, std::vector<std::string> labels);
  // `upper_bounds`: strictly increasing and finite; a last +Inf is dropped (it is always there).
  histogram_family& histogram(std::string name, std::string help, std::vector<std::string> labels,
                              std::vector<double> upper_bounds);
  // A family whose samples `collect` writes at each scrape (kind::gauge or kind::counter; a
  // collected kind::histogram throws std::invalid_argument). `collect` runs on the scraping
  // thread, without any lock of the registry held.
  void collected(std::string name, std::string help, kind type, std::vector<std::string> labels,
                 std::function<void(sample_writer&)> collect);

  // Every family in registration order, series in creation order, as Prometheus text format
  // 0.0.4 (serve it with text_content_type). Callable from any thread while others write.
  std::string render() const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace llmd::metrics
