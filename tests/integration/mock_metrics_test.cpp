// llm-d-mock's /metrics: the gauges an engine reports, with values a test sets while it runs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

scrape metrics_of(const mock& m) {
  const auto r = call(m.port(), "GET", "/metrics");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return scrape(r.body);
}

TEST(mock_metrics, reports_the_queue_and_kv_usage_a_test_sets_under_each_engines_names) {
  mock m("m", {"--model", "org/model"});
  const std::map<std::string, std::string> labels{{"model_name", "org/model"}};
  // vLLM's current names by default, the usage following the requests in flight.
  auto s = metrics_of(m);
  EXPECT_EQ(s.value("vllm:num_requests_waiting", labels), 0);
  EXPECT_TRUE(s.has("vllm:kv_cache_usage_perc", labels));
  EXPECT_TRUE(s.has("vllm:num_requests_running", labels));

  m.configure({{"waiting", 7}, {"kv_usage", 0.93}});
  s = metrics_of(m);
  EXPECT_EQ(s.value("vllm:num_requests_waiting", labels), 7);
  EXPECT_EQ(s.value("vllm:kv_cache_usage_perc", labels), 0.93);

  m.configure({{"metrics_names", "vllm-v0"}});
  s = metrics_of(m);
  EXPECT_EQ(s.value("vllm:gpu_cache_usage_perc", labels), 0.93);
  EXPECT_FALSE(s.has("vllm:kv_cache_usage_perc", labels));

  m.configure({{"metrics_names", "sglang"}, {"kv_usage", nullptr}});
  s = metrics_of(m);
  EXPECT_EQ(s.value("sglang:num_queue_reqs", labels), 7);
  EXPECT_EQ(s.value("sglang:token_usage", labels), 0);
  EXPECT_TRUE(s.has("sglang:num_running_reqs", labels));
  EXPECT_FALSE(s.has("vllm:num_requests_waiting", labels));
}

TEST(mock_metrics, a_hanging_metrics_page_never_answers_but_requests_still_do) {
  mock m("m");
  m.configure({{"metrics_hang", true}});
  connection scraper(m.port(), 500ms);
  scraper.send("GET", "/metrics");
  EXPECT_THROW(scraper.read_header(), std::runtime_error);
  EXPECT_EQ(call(m.port(), "POST", "/v1/chat/completions", chat_body("m")).status, 200u);
}

TEST(mock_metrics, refuses_names_and_values_it_does_not_know) {
  mock m("m");
  const auto bad = call(m.port(), "POST", "/mock/config", R"({"metrics_names":"tgi"})");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(call(m.port(), "POST", "/mock/config", R"({"kv_usage":1.5})").status, 400u);
  EXPECT_EQ(call(m.port(), "POST", "/mock/config", R"({"waiting":-1})").status, 400u);
}

}  // namespace
}  // namespace llmd::test
