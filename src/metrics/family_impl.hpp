// The inside of counter_family and histogram_family (one template for both): the series in
// creation order, the locked map every thread may use, and one lock-free cache per shard that
// only that shard's thread reads and fills.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "llmd/metrics/counter.hpp"
#include "llmd/metrics/histogram.hpp"
#include "llmd/metrics/shard.hpp"

namespace llmd::metrics::detail {

template <class Metric>
struct series {
  template <class... Args>
  explicit series(std::vector<std::string> values, Args&&... args)
      : label_values(std::move(values)), metric(std::forward<Args>(args)...) {}

  const std::vector<std::string> label_values;
  Metric metric;
};

std::size_t hash_label_values(std::span<const std::string_view> values) noexcept;
bool same_label_values(const std::vector<std::string>& stored, std::span<const std::string_view> values) noexcept;

// Label values → series, keyed by their hash; a look-up that hits allocates nothing.
template <class Metric>
class series_map {
 public:
  series<Metric>* find(std::size_t hash, std::span<const std::string_view> values) const noexcept {
    auto [it, end] = by_hash_.equal_range(hash);
    for (; it != end; ++it) {
      if (same_label_values(it->second->label_values, values)) return it->second;
    }
    return nullptr;
  }
  void insert(std::size_t hash, series<Metric>* s) { by_hash_.emplace(hash, s); }

 private:
  std::unordered_multimap<std::size_t, series<Metric>*> by_hash_;
};

template <class Metric>
class family_impl {
 public:
  // `bounds` only for histograms (validated by the registry).
  family_impl(std::string name, std::string help, std::vector<std::string> labels, std::size_t shards,
              std::vector<double> bounds = {})
      : name(std::move(name)),
        help(std::move(help)),
        labels(std::move(labels)),
        bounds(std::move(bounds)),
        shards_(shards),
        caches_(std::make_unique<shard_cache[]>(shards)) {}

  Metric& with(std::span<const std::string_view> values) {
    if (values.size() != labels.size()) {
      throw std::invalid_argument("metric " + name + " has " + std::to_string(labels.size()) + " labels, given " +
                                  std::to_string(values.size()) + " values");
    }
    const std::size_t hash = hash_label_values(values);
    const std::size_t shard = thread_shard();
    if (shard >= shards_) return find_or_create(hash, values).metric;
    auto& cache = caches_[shard].map;
    if (auto* s = cache.find(hash, values)) return s->metric;
    auto& s = find_or_create(hash, values);
    cache.insert(hash, &s);
    return s.metric;
  }

  // The series created so far, in creation order.
  std::vector<const series<Metric>*> snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<const series<Metric>*> out;
    out.reserve(series_.size());
    for (const auto& s : series_) out.push_back(&s);
    return out;
  }

  const std::string name;
  const std::string help;
  const std::vector<std::string> labels;
  const std::vector<double> bounds;

 private:
  // Its own cache lines: caches of neighbouring shards are filled by different threads.
  struct alignas(64) shard_cache {
    series_map<Metric> map;
  };

  series<Metric>& find_or_create(std::size_t hash, std::span<const std::string_view> values) {
    std::lock_guard lock(mutex_);
    if (auto* s = all_.find(hash, values)) return *s;
    std::vector<std::string> owned(values.begin(), values.end());
    if constexpr (std::is_same_v<Metric, histogram>) {
      series_.emplace_back(std::move(owned), std::span<const double>(bounds), shards_);
    } else {
      series_.emplace_back(std::move(owned), shards_);
    }
    all_.insert(hash, &series_.back());
    return series_.back();
  }

  std::size_t shards_;
  mutable std::mutex mutex_;
  std::deque<series<Metric>> series_;  // a deque never moves what it holds
  series_map<Metric> all_;
  std::unique_ptr<shard_cache[]> caches_;
};

}  // namespace llmd::metrics::detail
