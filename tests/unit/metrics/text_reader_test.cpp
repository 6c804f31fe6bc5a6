#include "llmd/metrics/text_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace llmd::metrics {
namespace {

using values = std::vector<std::optional<double>>;

// What a vLLM 0.9 server shows (abridged: two engines, histograms and info lines included).
constexpr std::string_view vllm_page = R"(# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0
vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.0
vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.42
vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.875
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0
vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 12.0
vllm:time_to_first_token_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 12.0
vllm:time_to_first_token_seconds_sum{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.5342
# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig
# TYPE vllm:cache_config_info gauge
vllm:cache_config_info{block_size="16",cache_dtype="auto",gpu_memory_utilization="0.9",num_gpu_blocks="27931"} 1.0
)";

// What an SGLang server shows (abridged).
constexpr std::string_view sglang_page = R"(# HELP sglang:num_running_reqs The number of running requests.
# TYPE sglang:num_running_reqs gauge
sglang:num_running_reqs{model_name="Qwen/Qwen2.5-7B-Instruct"} 12.0
# HELP sglang:num_queue_reqs The number of requests in the waiting queue.
# TYPE sglang:num_queue_reqs gauge
sglang:num_queue_reqs{model_name="Qwen/Qwen2.5-7B-Instruct"} 4.0
# HELP sglang:token_usage The token usage.
# TYPE sglang:token_usage gauge
sglang:token_usage{model_name="Qwen/Qwen2.5-7B-Instruct"} 0.31
# HELP sglang:gen_throughput The generation throughput (token/s).
# TYPE sglang:gen_throughput gauge
sglang:gen_throughput{model_name="Qwen/Qwen2.5-7B-Instruct"} 812.4
)";

values read(std::string_view text, std::vector<wanted_family> wanted) {
  values out(wanted.size(), -1.0);
  const auto failure = read_families(text, wanted, out);
  EXPECT_FALSE(failure) << failure->line << ": " << failure->what;
  return out;
}

TEST(text_reader, sums_a_vllm_pages_queues_across_engines_and_takes_the_fullest_cache) {
  EXPECT_EQ(read(vllm_page, {{"vllm:num_requests_waiting", combine::sum},
                             {"vllm:num_requests_running", combine::sum},
                             {"vllm:kv_cache_usage_perc", combine::max},
                             {"vllm:gpu_cache_usage_perc", combine::max}}),
            (values{8.0, 5.0, 0.875, std::nullopt}));
}

TEST(text_reader, reads_an_sglang_page) {
  EXPECT_EQ(read(sglang_page, {{"sglang:num_queue_reqs", combine::sum}, {"sglang:token_usage", combine::max}}),
            (values{4.0, 0.31}));
}

TEST(text_reader, reads_escaped_label_values_timestamps_and_special_values) {
  const std::string_view page =
      "q{path=\"C:\\\\dir\",note=\"say \\\"hi\\\"\\nbye\",} 2 1712000000000\n"
      "q{a=\"}\"} +Inf\n"
      "  q 1e1\n"
      "n NaN\n"
      "n -1.5\r\n"
      "# a comment q 100\n"
      "\n"
      "z -Inf\n";
  const auto v = read(page, {{"q", combine::sum}, {"n", combine::sum}, {"z", combine::max}, {"q_", combine::sum}});
  EXPECT_TRUE(std::isinf(*v[0]) && *v[0] > 0);
  EXPECT_EQ(v[1], -1.5);  // NaN is no value
  EXPECT_TRUE(std::isinf(*v[2]) && *v[2] < 0);
  EXPECT_EQ(v[3], std::nullopt);
}

TEST(text_reader, one_malformed_line_fails_the_reading_with_its_line_number) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a 1\nb{x=\"1\" 2\n", "expected ',' or '}' after a label"},
      {"a 1\n9lives 2\n", "expected a metric name"},
      {"a one\n", "expected a value (a number, NaN, +Inf or -Inf)"},
      {"a{x=1} 2\n", "expected a quoted label value"},
      {"a{x=\"\\q\"} 2\n", "invalid escape in a label value"},
      {"a{x=\"open} 2\n", "unterminated label value"},
      {"a 1 2 3\n", "unexpected text after the value"},
      {"a 1 later\n", "expected a timestamp in milliseconds"},
      {"a\n", "expected a space before the value"},
      {"a 0x10\n", "expected a value (a number, NaN, +Inf or -Inf)"},
  };
  for (const auto& [text, what] : cases) {
    std::vector<std::optional<double>> out(1);
    const std::vector<wanted_family> wanted{{"a", combine::sum}};
    const auto failure = read_families(text, wanted, out);
    ASSERT_TRUE(failure) << text;
    EXPECT_EQ(failure->what, what) << text;
    EXPECT_EQ(failure->line, text.starts_with("a 1\n") ? 2u : 1u) << text;
  }
}

}  // namespace
}  // namespace llmd::metrics
