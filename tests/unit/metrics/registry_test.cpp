#include "llmd/metrics/registry.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>
#include <string>

namespace llmd::metrics {
namespace {

using namespace std::literals;

TEST(registry, renders_counters_as_integers_in_creation_order) {
  registry r(2);
  auto& requests = r.counter("llmd_requests_total", "Requests answered.", {"model", "code"});
  requests.with({"llama", "200"}).add(3);
  requests.with({"qwen", "500"}).add();
  requests.with({"llama", "200"}).add(18446744073709551000u);
  r.counter("llmd_reloads_total", "Config reloads.", {}).with({}).add(2);
  EXPECT_EQ(r.render(),
            "# HELP llmd_requests_total Requests answered.\n"
            "# TYPE llmd_requests_total counter\n"
            "llmd_requests_total{model=\"llama\",code=\"200\"} 18446744073709551003\n"
            "llmd_requests_total{model=\"qwen\",code=\"500\"} 1\n"
            "# HELP llmd_reloads_total Config reloads.\n"
            "# TYPE llmd_reloads_total counter\n"
            "llmd_reloads_total 2\n");
}

TEST(registry, renders_collected_gauges_and_counters) {
  registry r(1);
  std::atomic<int> in_flight{7};
  r.collected("llmd_in_flight", "Requests in flight.", kind::gauge, {"group"}, [&](sample_writer& w) {
    w.write({"a"}, in_flight.load());
    w.write({"b"}, 0.25);
    w.write({"c"}, std::numeric_limits<double>::quiet_NaN());
    w.write({"d"}, std::numeric_limits<double>::infinity());
    w.write({"e"}, -std::numeric_limits<double>::infinity());
  });
  r.collected("llmd_up", "Whether serving.", kind::gauge, {}, [](sample_writer& w) { w.write({}, 1); });
  r.collected("llmd_probes_total", "Probes sent.", kind::counter, {}, [](sample_writer& w) { w.write({}, 1e6); });
  const auto expected =
      "# HELP llmd_in_flight Requests in flight.\n"
      "# TYPE llmd_in_flight gauge\n"
      "llmd_in_flight{group=\"a\"} 7\n"
      "llmd_in_flight{group=\"b\"} 0.25\n"
      "llmd_in_flight{group=\"c\"} NaN\n"
      "llmd_in_flight{group=\"d\"} +Inf\n"
      "llmd_in_flight{group=\"e\"} -Inf\n"
      "# HELP llmd_up Whether serving.\n"
      "# TYPE llmd_up gauge\n"
      "llmd_up 1\n"
      "# HELP llmd_probes_total Probes sent.\n"
      "# TYPE llmd_probes_total counter\n"
      "llmd_probes_total 1e+06\n"s;
  EXPECT_EQ(r.render(), expected);
  in_flight = 8;  // read at each scrape
  EXPECT_NE(r.render().find("llmd_in_flight{group=\"a\"} 8\n"), std::string::npos);
}

TEST(registry, renders_histograms_with_cumulative_inclusive_buckets) {
  registry r(2);
  auto& ttfb = r.histogram("llmd_ttfb_seconds", "Time to first byte.", {"model"}, {0.005, 0.5, 1, 120});
  auto& llama = ttfb.with({"llama"});
  llama.observe(0.005);  // equal to a bound: in that bucket
  llama.observe(0.3);
  llama.observe(1);
  llama.observe(200);
  ttfb.with({"qwen"});
  EXPECT_EQ(r.render(),
            "# HELP llmd_ttfb_seconds Time to first byte.\n"
            "# TYPE llmd_ttfb_seconds histogram\n"
            "llmd_ttfb_seconds_bucket{model=\"llama\",le=\"0.005\"} 1\n"
            "llmd_ttfb_seconds_bucket{model=\"llama\",le=\"0.5\"} 2\n"
            "llmd_ttfb_seconds_bucket{model=\"llama\",le=\"1\"} 3\n"
            "llmd_ttfb_seconds_bucket{model=\"llama\",le=\"120\"} 3\n"
            "llmd_ttfb_seconds_bucket{model=\"llama\",le=\"+Inf\"} 4\n"
            "llmd_ttfb_seconds_sum{model=\"llama\"} 201.305\n"
            "llmd_ttfb_seconds_count{model=\"llama\"} 4\n"
            "llmd_ttfb_seconds_bucket{model=\"qwen\",le=\"0.005\"} 0\n"
            "llmd_ttfb_seconds_bucket{model=\"qwen\",le=\"0.5\"} 0\n"
            "llmd_ttfb_seconds_bucket{model=\"qwen\",le=\"1\"} 0\n"
            "llmd_ttfb_seconds_bucket{model=\"qwen\",le=\"120\"} 0\n"
            "llmd_ttfb_seconds_bucket{model=\"qwen\",le=\"+Inf\"} 0\n"
            "llmd_ttfb_seconds_sum{model=\"qwen\"} 0\n"
            "llmd_ttfb_seconds_count{model=\"qwen\"} 0\n");
}

TEST(registry, renders_a_histogram_without_labels_and_drops_a_given_inf_bound) {
  registry r(1);
  auto& h = r.histogram("llmd_overhead_seconds", "Added by llm-d.", {},
                        {0.00005, 0.001, std::numeric_limits<double>::infinity()});
  h.with({}).observe(0.0002);
  EXPECT_EQ(r.render(),
            "# HELP llmd_overhead_seconds Added by llm-d.\n"
            "# TYPE llmd_overhead_seconds histogram\n"
            "llmd_overhead_seconds_bucket{le=\"5e-05\"} 0\n"
            "llmd_overhead_seconds_bucket{le=\"0.001\"} 1\n"
            "llmd_overhead_seconds_bucket{le=\"+Inf\"} 1\n"
            "llmd_overhead_seconds_sum 0.0002\n"
            "llmd_overhead_seconds_count 1\n");
}

TEST(registry, families_without_series_print_only_help_and_type) {
  registry r(1);
  r.counter("a_total", "A.", {"x"});
  r.histogram("b_seconds", "B.", {"x"}, latency_buckets());
  r.collected("c", "C.", kind::gauge, {"x"}, [](sample_writer&) {});
  EXPECT_EQ(r.render(),
            "# HELP a_total A.\n# TYPE a_total counter\n"
            "# HELP b_seconds B.\n# TYPE b_seconds histogram\n"
            "# HELP c C.\n# TYPE c gauge\n");
  EXPECT_EQ(registry(1).render(), "");
}

TEST(registry, escapes_help_and_label_values) {
  registry r(1);
  auto& f = r.counter("odd_total", "Back\\slash, \"quotes\" and\na newline.", {"v"});
  f.with({"say \"hi\"\\\n\t\xff\0!"sv}).add();
  EXPECT_EQ(r.render(),
            "# HELP odd_total Back\\\\slash, \"quotes\" and\\na newline.\n"
            "# TYPE odd_total counter\n"
            "odd_total{v=\"say \\\"hi\\\"\\\\\\n\t\xff\0!\"} 1\n"s);
}

TEST(registry, rejects_invalid_names) {
  registry r(1);
  EXPECT_THROW(r.counter("", "", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("9x", "", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("a-b", "", {}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(r.counter("x_total", "", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h_seconds", "", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(r.collected("1g", "", kind::gauge, {}, [](sample_writer&) {}), std::invalid_argument);
  // None of the failures took the name.
  EXPECT_NO_THROW(r.counter("x_total", "", {"le"}));  // `le` is only reserved in histograms
  EXPECT_NO_THROW(r.histogram("h_seconds", "", {"model"}, {1}));
}

TEST(registry, rejects_a_name_twice_including_a_histograms_sample_names) {
  registry r(1);
  r.counter("a_total", "", {});
  EXPECT_THROW(r.counter("a_total", "", {}), std::invalid_argument);
  EXPECT_THROW(r.collected("a_total", "", kind::gauge, {}, [](sample_writer&) {}), std::invalid_argument);
  r.histogram("h", "", {}, {1});
  EXPECT_THROW(r.counter("h_count", "", {}), std::invalid_argument);
  EXPECT_THROW(r.collected("h_bucket", "", kind::gauge, {}, [](sample_writer&) {}), std::invalid_argument);
  r.counter("g_sum", "", {});
  EXPECT_THROW(r.histogram("g", "", {}, {1}), std::invalid_argument);
}

TEST(registry, rejects_bounds_that_do_not_increase_or_are_not_finite) {
  registry r(1);
  EXPECT_THROW(r.histogram("a", "", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("b", "", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("c", "", {}, {std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
  EXPECT_THROW(r.histogram("d", "", {}, {-std::numeric_limits<double>::infinity(), 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("e", "", {}, {std::numeric_limits<double>::infinity(), 1}), std::invalid_argument);
  EXPECT_NO_THROW(r.histogram("f", "", {}, {}));
}

TEST(registry, rejects_a_collected_histogram_and_the_wrong_number_of_values) {
  registry r(1);
  EXPECT_THROW(r.collected("h", "", kind::histogram, {}, [](sample_writer&) {}), std::invalid_argument);
  EXPECT_THROW(r.collected("n", "", kind::gauge, {}, nullptr), std::invalid_argument);
  r.collected("g", "", kind::gauge, {"a"}, [](sample_writer& w) { w.write({"x", "y"}, 1); });
  EXPECT_THROW(r.render(), std::invalid_argument);
}

TEST(buckets, latency_and_overhead_buckets_increase_over_their_ranges) {
  for (const auto& b : {latency_buckets(), overhead_buckets()}) {
    for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
  }
  EXPECT_EQ(latency_buckets().front(), 0.005);
  EXPECT_EQ(latency_buckets().back(), 120);
  EXPECT_EQ(overhead_buckets().front(), 0.00005);
  EXPECT_EQ(overhead_buckets().back(), 1);
}

TEST(text_content_type, is_the_0_0_4_text_format) {
  EXPECT_EQ(text_content_type, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace llmd::metrics
