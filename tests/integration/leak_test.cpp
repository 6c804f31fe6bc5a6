// Every path gives back what it took: slots, client sockets and upstream sockets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

TEST(leaks, failures_and_disconnects_release_every_socket_and_slot) {
  refusing_port dead;
  mock flaky("flaky", {"--tokens", "100", "--token-interval", "50ms"});
  mock broken("broken", {"--status", "500"});
  // One worker, so exactly one upstream keep-alive pool; two slots on the streaming group.
  gateway llmd("workers: 1\n"
               "models:\n"
               "  - name: dead\n    endpoint: " + dead.endpoint() + "\n"
               "    fallbacks: [broken]\n"
               "  - name: broken\n    endpoint: " + broken.endpoint() + "\n"
               "  - name: stream\n    endpoint: " + flaky.endpoint() + "\n    max_concurrent: 2\n");
  // Warm up: the one pooled upstream connection exists before the baseline is taken.
  flaky.configure({{"tokens", 1}, {"token_interval_ms", 0}});
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("stream")).status, 200u);
  flaky.configure({{"tokens", 100}, {"token_interval_ms", 50}});
  const int baseline = llmd.proc().open_descriptors();
  ASSERT_GT(baseline, 0);

  for (int round = 0; round < 10; ++round) {
    EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("dead")).status, 502u);
    connection c(llmd.port());
    c.send("POST", "/v1/chat/completions", chat_body("stream", true));
    ASSERT_EQ(c.read_header().status, 200u);
    ASSERT_TRUE(c.read_piece());
    c.close();
    connection idle(llmd.port());
    idle.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
  }
  EXPECT_TRUE(eventually([&] { return flaky.stats()["in_flight"] == 0; }, 5s, "every stream cancelled upstream"));
  EXPECT_EQ(flaky.stats()["cancelled"], 10);
  EXPECT_TRUE(eventually([&] { return llmd.proc().open_descriptors() <= baseline; }, 5s,
                         "llm-d's descriptors back to the baseline of " + std::to_string(baseline)));
  // Both slots of the streaming group are free: two concurrent streams are served, not refused.
  flaky.configure({{"tokens", 3}, {"token_interval_ms", 200}});
  ASSERT_EQ(call(flaky.port(), "POST", "/mock/reset").status, 200u);
  response a, b;
  std::thread first([&] { a = llmd.post("/v1/chat/completions", chat_body("stream", true)); });
  EXPECT_TRUE(eventually([&] { return flaky.stats()["in_flight"] == 1; }, 5s, "the first stream running"));
  b = llmd.post("/v1/chat/completions", chat_body("stream", true));
  first.join();
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(b.status, 200u);
  EXPECT_EQ(flaky.stats()["max_in_flight"], 2);
}

TEST(leaks, reloads_under_traffic_release_every_socket_and_slot_of_the_pools_they_replace) {
  mock a("a", {"--tokens", "20", "--token-interval", "20ms"});
  mock b("b");
  const auto both = "workers: 1\nmodels:\n" + model_entry("a", a) + model_entry("b", b);
  const auto only_a = "workers: 1\nmodels:\n" + model_entry("a", a, "    max_concurrent: 3\n");
  gateway llmd(both);
  // Warm up: one pooled connection to each mock before the baseline is taken.
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("b")).status, 200u);
  const int baseline = llmd.proc().open_descriptors();
  ASSERT_GT(baseline, 0);

  for (int round = 1; round <= 10; ++round) {
    // A stream starts on one config and ends on the next.
    connection c(llmd.port());
    c.send("POST", "/v1/chat/completions", chat_body("a", true));
    ASSERT_EQ(c.read_header().status, 200u);
    llmd.reload(round % 2 ? only_a : both);
    const auto reloads = [&] {
      return scrape(llmd.get("/metrics").body).value("llmd_config_reloads_total", {{"result", "success"}});
    };
    ASSERT_TRUE(eventually([&] { return reloads() == round; }, 10s, "reload " + std::to_string(round)));
    while (c.read_piece()) {
    }
    ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body(round % 2 ? "a" : "b")).status, 200u);
  }
  // Ten configs came and went: nothing of theirs holds a slot or a descriptor.
  const auto held = [&](const std::string& id) { return llmd.replica(id)["in_flight"].get<int>(); };
  EXPECT_TRUE(eventually([&] { return held(replica_id("a", a)) + held(replica_id("b", b)) == 0; }, 10s,
                         "every slot back"));
  EXPECT_TRUE(eventually([&] { return llmd.proc().open_descriptors() <= baseline; }, 10s,
                         "llm-d's descriptors back to the baseline of " + std::to_string(baseline)));
  // After b is dropped, its idle connection is closed, not kept for a config that may never come.
  llmd.reload(only_a);
  // The one connection b sees then is the stats call's own.
  EXPECT_TRUE(eventually([&] { return b.stats()["open_connections"] == 1; }, 10s, "b's pooled connection closed"));
}

}  // namespace
}  // namespace llmd::test
