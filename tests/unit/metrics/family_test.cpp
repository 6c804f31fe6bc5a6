#include "llmd/metrics/family.hpp"

#include <array>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

#include "llmd/metrics/registry.hpp"
#include "shard_scope.hpp"

namespace llmd::metrics {
namespace {

TEST(counter_family, finds_the_same_series_for_the_same_labels) {
  registry r(2);
  auto& f = r.counter("requests_total", "Requests.", {"model", "code"});
  auto& a = f.with({"llama", "200"});
  const std::string model = "llama";  // other storage, same bytes
  EXPECT_EQ(&f.with({model, "200"}), &a);
  EXPECT_NE(&f.with({"llama", "500"}), &a);
  EXPECT_NE(&f.with({"llama2", "00"}), &a);
}

TEST(counter_family, a_thread_with_a_shard_finds_the_series_other_threads_made) {
  registry r(2);
  auto& f = r.counter("requests_total", "Requests.", {"model"});
  auto& made = f.with({"llama"});  // no shard: the locked map
  shard_scope scope(1);
  auto& found = f.with({"llama"});  // shard 1's cache misses, then hits
  EXPECT_EQ(&found, &made);
  EXPECT_EQ(&f.with({"llama"}), &made);
}

TEST(counter_family, takes_label_values_as_a_span) {
  registry r(1);
  auto& f = r.counter("requests_total", "Requests.", {"a", "b"});
  const std::array<std::string_view, 2> values{"x", "y"};
  EXPECT_EQ(&f.with(values), &f.with({"x", "y"}));
}

TEST(counter_family, without_labels_has_one_series) {
  registry r(1);
  auto& f = r.counter("up_total", "Ups.", {});
  EXPECT_EQ(&f.with({}), &f.with({}));
}

TEST(counter_family, rejects_the_wrong_number_of_label_values) {
  registry r(2);
  auto& f = r.counter("requests_total", "Requests.", {"model", "code"});
  EXPECT_THROW(f.with({"llama"}), std::invalid_argument);
  EXPECT_THROW(f.with({"llama", "200", "x"}), std::invalid_argument);
  shard_scope scope(0);
  EXPECT_THROW(f.with({}), std::invalid_argument);
}

TEST(counter_family, label_values_are_not_confused_across_positions) {
  registry r(1);
  auto& f = r.counter("pairs_total", "Pairs.", {"a", "b"});
  EXPECT_NE(&f.with({"ab", ""}), &f.with({"a", "b"}));
  EXPECT_NE(&f.with({"", "ab"}), &f.with({"ab", ""}));
}

TEST(histogram_family, finds_the_same_series_for_the_same_labels) {
  registry r(2);
  auto& f = r.histogram("ttfb_seconds", "TTFB.", {"model"}, latency_buckets());
  shard_scope scope(0);
  auto& a = f.with({"llama"});
  EXPECT_EQ(&f.with({"llama"}), &a);
  EXPECT_NE(&f.with({"qwen"}), &a);
  EXPECT_EQ(a.upper_bounds().size(), latency_buckets().size());
  EXPECT_THROW(f.with({"llama", "x"}), std::invalid_argument);
}

}  // namespace
}  // namespace llmd::metrics
