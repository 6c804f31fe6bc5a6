#include "llmd/metrics/registry.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_set>

#include "family_impl.hpp"

namespace llmd::metrics {

namespace {

void append_header(std::string& out, const std::string& name, const std::string& help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped_help(out, help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

struct family_entry {
  virtual ~family_entry() = default;
  virtual void render(std::string& out) const = 0;
};

struct counter_entry final : family_entry {
  std::unique_ptr<counter_family> family;
  const detail::family_impl<counter>* impl = nullptr;

  void render(std::string& out) const override {
    append_header(out, impl->name, impl->help, "counter");
    for (const auto* s : impl->snapshot()) {
      out += impl->name;
      if (!impl->labels.empty()) {
        out += '{';
        append_labels(out, impl->labels, s->label_values);
        out += '}';
      }
      out += ' ';
      append_value(out, s->metric.value());
      out += '\n';
    }
  }
};

struct histogram_entry final : family_entry {
  std::unique_ptr<histogram_family> family;
  const detail::family_impl<histogram>* impl = nullptr;
  std::vector<std::string> le;  // the bounds as `le` values, +Inf last

  void render(std::string& out) const override {
    append_header(out, impl->name, impl->help, "histogram");
    std::vector<std::uint64_t> counts(le.size());
    std::string labels;  // `a="x",b="y"` of the series, written once and copied into each line
    for (const auto* s : impl->snapshot()) {
      labels.clear();
      append_labels(labels, impl->labels, s->label_values);
      s->metric.bucket_counts(counts);
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < le.size(); ++i) {
        cumulative += counts[i];
        out += impl->name;
        out += "_bucket{";
        out += labels;
        if (!labels.empty()) out += ',';
        out += "le=\"";
        out += le[i];
        out += "\"} ";
        append_value(out, cumulative);
        out += '\n';
      }
      const auto tail = [&](std::string_view suffix) {
        out += impl->name;
        out += suffix;
        if (!labels.empty()) {
          out += '{';
          out += labels;
          out += '}';
        }
        out += ' ';
      };
      tail("_sum");
      append_value(out, s->metric.sum());
      out += '\n';
      // The total of the buckets just written, so `_count` always equals the +Inf bucket.
      tail("_count");
      append_value(out, cumulative);
      out += '\n';
    }
  }
};

struct collected_entry final : family_entry {
  std::string name;
  std::string help;
  kind type = kind::gauge;
  std::vector<std::string> labels;
  std::function<void(sample_writer&)> collect;

  void render(std::string& out) const override {
    append_header(out, name, help, type == kind::counter ? "counter" : "gauge");
    sample_writer writer(out, name, labels);
    collect(writer);
  }
};

}  // namespace

struct registry::state {
  std::size_t shards = 1;
  mutable std::mutex mutex;
  std::vector<std::unique_ptr<family_entry>> families;
  std::unordered_set<std::string> sample_names;  // every name a family's samples use
  mutable std::atomic<std::size_t> last_size{0};

  // Checks a new family's names and claims its sample names; the caller holds `mutex`.
  void claim(const std::string& name, const std::vector<std::string>& labels, bool is_histogram) {
    if (!is_valid_metric_name(name)) throw std::invalid_argument("invalid metric name \"" + name + "\"");
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const auto& label = labels[i];
      if (!is_valid_label_name(label)) {
        throw std::invalid_argument("metric " + name + ": invalid label name \"" + label + "\"");
      }
      if (is_histogram && label == "le") {
        throw std::invalid_argument("metric " + name + ": the label name \"le\" is reserved for histogram buckets");
      }
      if (std::find(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(i), label) !=
          labels.begin() + static_cast<std::ptrdiff_t>(i)) {
        throw std::invalid_argument("metric " + name + ": label \"" + label + "\" given twice");
      }
    }
    std::vector<std::string> names{name};
    if (is_histogram) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.push_back(name + suffix);
    }
    for (const auto& n : names) {
      if (sample_names.contains(n)) throw std::invalid_argument("metric name " + n + " is already registered");
    }
    sample_names.insert(names.begin(), names.end());
  }
};

registry::registry(std::size_t shards) : state_(std::make_unique<state>()) {
  state_->shards = std::max<std::size_t>(shards, 1);
}

registry::~registry() = default;

std::size_t registry::shards() const noexcept { return state_->shards; }

counter_family& registry::counter(std::string name, std::string help, std::vector<std::string> labels) {
  std::lock_guard lock(state_->mutex);
  state_->claim(name, labels, false);
  auto entry = std::make_unique<counter_entry>();
  auto impl = std::make_unique<detail::family_impl<metrics::counter>>(std::move(name), std::move(help),
                                                                      std::move(labels), state_->shards);
  entry->impl = impl.get();
  entry->family.reset(new counter_family(std::move(impl)));
  auto& family = *entry->family;
  state_->families.push_back(std::move(entry));
  return family;
}

histogram_family& registry::histogram(std::string name, std::string help, std::vector<std::string> labels,
                                      std::vector<double> upper_bounds) {
  if (!upper_bounds.empty() && std::isinf(upper_bounds.back()) && upper_bounds.back() > 0) upper_bounds.pop_back();
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i != 0 && !(upper_bounds[i - 1] < upper_bounds[i]))) {
      throw std::invalid_argument("histogram " + name + ": bucket bounds must be finite and strictly increasing");
    }
  }
  std::lock_guard lock(state_->mutex);
  state_->claim(name, labels, true);
  auto entry = std::make_unique<histogram_entry>();
  for (const double bound : upper_bounds) {
    append_value(entry->le.emplace_back(), bound);
  }
  entry->le.emplace_back("+Inf");
  auto impl = std::make_unique<detail::family_impl<metrics::histogram>>(
      std::move(name), std::move(help), std::move(labels), state_->shards, std::move(upper_bounds));
  entry->impl = impl.get();
  entry->family.reset(new histogram_family(std::move(impl)));
  auto& family = *entry->family;
  state_->families.push_back(std::move(entry));
  return family;
}

void registry::collected(std::string name, std::string help, kind type, std::vector<std::string> labels,
                         std::function<void(sample_writer&)> collect) {
  if (type == kind::histogram) throw std::invalid_argument("collected family " + name + " cannot be a histogram");
  if (!collect) throw std::invalid_argument("collected family " + name + " has no collect function");
  std::lock_guard lock(state_->mutex);
  state_->claim(name, labels, false);
  auto entry = std::make_unique<collected_entry>();
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = type;
  entry->labels = std::move(labels);
  entry->collect = std::move(collect);
  state_->families.push_back(std::move(entry));
}

std::string registry::render() const {
  std::vector<const family_entry*> families;
  {
    std::lock_guard lock(state_->mutex);
    families.reserve(state_->families.size());
    for (const auto& f : state_->families) families.push_back(f.get());
  }
  // Families are never removed and their series only added: the last scrape's size, plus room
  // to grow, is a good guess.
  const std::size_t last = state_->last_size.load(std::memory_order_relaxed);
  std::string out;
  out.reserve(last == 0 ? 256 * families.size() : last + last / 8);
  for (const auto* f : families) f->render(out);
  state_->last_size.store(out.size(), std::memory_order_relaxed);
  return out;
}

}  // namespace llmd::metrics
