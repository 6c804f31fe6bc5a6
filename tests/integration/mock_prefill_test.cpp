// llm-d-mock's GPU model (--prefill-per-block): one prefill at a time, in arrival order, and a
// bounded LRU prefix cache of chained block hashes that the benchmark of prefix routing relies on.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

#include <chrono>
#include <thread>

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

std::string completion(const std::string& prompt) {
  return nlohmann::json{{"model", "m"}, {"prompt", prompt}, {"max_tokens", 1}}.dump();
}

void send_prompt(const mock& m, const std::string& prompt) {
  EXPECT_EQ(call(m.port(), "POST", "/v1/completions", completion(prompt)).status, 200u);
}

std::pair<int, int> prefill_totals(const mock& m) {
  const auto p = m.stats()["prefill"];
  return {p["blocks"].get<int>(), p["cached_blocks"].get<int>()};
}

TEST(mock_prefill, reuses_the_longest_cached_run_of_leading_blocks_and_evicts_a_prompts_tail_first) {
  mock m("m", {"--tokens", "1", "--prefill-per-block", "1ms", "--prefill-block-size", "16",
               "--prefill-cache-blocks", "6"});
  const std::string a(64, 'a');  // four blocks
  send_prompt(m, a);
  EXPECT_EQ(prefill_totals(m), std::make_pair(4, 0));
  send_prompt(m, a);
  EXPECT_EQ(prefill_totals(m), std::make_pair(8, 4));
  // Two blocks shared, then two of its own: the cache now holds six, full.
  send_prompt(m, std::string(32, 'a') + std::string(32, 'b'));
  EXPECT_EQ(prefill_totals(m), std::make_pair(12, 6));
  // Four new blocks evict the four least recent: the tails, not the shared head.
  send_prompt(m, std::string(64, 'c'));
  EXPECT_EQ(prefill_totals(m), std::make_pair(16, 6));
  send_prompt(m, a);
  EXPECT_EQ(prefill_totals(m), std::make_pair(20, 8));

  // A chat's blocks are its messages' roles and texts.
  EXPECT_EQ(call(m.port(), "POST", "/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_GT(prefill_totals(m).first, 20);

  EXPECT_EQ(call(m.port(), "POST", "/mock/reset").status, 200u);
  EXPECT_EQ(prefill_totals(m), std::make_pair(0, 0));
  send_prompt(m, a);
  EXPECT_EQ(prefill_totals(m), std::make_pair(4, 0));
}

TEST(mock_prefill, prefills_one_prompt_at_a_time_in_arrival_order_and_shows_the_queue) {
  // 100 ms per uncached block: 2 s for the first prompt, 200 ms for the second.
  mock m("m", {"--tokens", "1", "--prefill-per-block", "100ms", "--prefill-block-size", "16"});
  const std::map<std::string, std::string> labels{{"model_name", "mock-model"}};
  auto gauge = [&](const std::string& name) { return scrape(call(m.port(), "GET", "/metrics").body).value(name, labels); };
  const auto sent = clock::now();
  connection first(m.port());
  first.send("POST", "/v1/completions", completion(std::string(320, 'x')));
  // One thread: once the first counts as running, its prefill is reserved.
  while (gauge("vllm:num_requests_running") < 1) std::this_thread::sleep_for(5ms);
  connection second(m.port());
  second.send("POST", "/v1/completions", completion(std::string(32, 'y')));
  while (gauge("vllm:num_requests_waiting") < 1 && clock::now() - sent < 10s) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(gauge("vllm:num_requests_waiting"), 1);
  EXPECT_EQ(gauge("vllm:num_requests_running"), 1);  // the one prefilling; the waiting one is not

  EXPECT_EQ(first.read_response().status, 200u);
  const auto first_done = clock::now();
  EXPECT_EQ(second.read_response().status, 200u);
  const auto second_done = clock::now();
  EXPECT_GE(first_done - sent, 2000ms);
  // The second's prefill began when the first's ended.
  EXPECT_GE(second_done - sent, 2200ms);
  EXPECT_EQ(gauge("vllm:num_requests_waiting"), 0);
}

}  // namespace
}  // namespace llmd::test
