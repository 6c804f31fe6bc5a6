// How an attempt's outcome reaches a replica's health: Retry-After makes a replica the last
// resort (waited for when it is the only one), and one failure streak ejects a replica once.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// When the mock received its n-th logged request, in ms of the machine's monotonic clock.
double received(const json& requests, std::size_t n) { return requests.at(n)["received_at_ms"].get<double>(); }

TEST(retry_after, the_only_replica_is_retried_once_the_wait_it_asked_for_is_over) {
  for (const int status : {503, 429}) {
    mock lone("lone");
    lone.configure({{"status", status}, {"retry_after", 1}, {"times", 1}});
    gateway llmd("models:\n" + model_entry("m", lone));
    const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
    ASSERT_EQ(r.status, 200u) << status << ": " << r.body;
    EXPECT_EQ(r.header("x-llmd-attempts"), "2") << status;
    const auto seen = lone.requests();
    ASSERT_EQ(seen.size(), 2u) << status;
    EXPECT_GE(received(seen, 1) - received(seen, 0), 1000) << status;
  }
}

TEST(retry_after, the_wait_is_never_longer_than_retry_backoff_max) {
  mock lone("lone");
  lone.configure({{"status", 503}, {"retry_after", 30}, {"times", 1}});
  gateway llmd("models:\n" + model_entry("m", lone, "    retry_backoff_max: 300ms\n"));
  const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto seen = lone.requests();
  ASSERT_EQ(seen.size(), 2u);
  const double gap = received(seen, 1) - received(seen, 0);
  EXPECT_GE(gap, 300);
  EXPECT_LT(gap, 10'000);  // far from the 30 s asked for
}

TEST(retry_after, a_new_request_during_a_lone_replicas_cooldown_waits_and_succeeds) {
  mock lone("lone");
  lone.configure({{"status", 503}, {"retry_after", 2}, {"times", 1}});
  gateway llmd("models:\n" + model_entry("m", lone, "    retries: 0\n"));
  // No retry left: the first request fails, and says when to come back.
  const auto failed = llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(failed.status, 502u) << failed.body;
  EXPECT_EQ(failed.header("retry-after"), "2");
  EXPECT_EQ(llmd.replica(replica_id("m", lone))["state"], "cooling_down");
  const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-attempts"), "1");
  const auto seen = lone.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(received(seen, 1) - received(seen, 0), 2000);
  EXPECT_EQ(llmd.replica(replica_id("m", lone))["state"], "healthy");
}

TEST(retry_after, a_fallback_group_answers_at_once_while_the_replica_cools_down) {
  mock cooling("cooling", {"--status", "503", "--retry-after", "30"});
  mock fallback("fallback");
  gateway llmd("models:\n" + model_entry("m", cooling) + model_entry("f", fallback));
  for (int i = 0; i < 3; ++i) {
    const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.header("x-llmd-backend"), replica_id("f", fallback));
  }
  // Asked once, then left alone; the fallback's first answer did not wait for the cooldown.
  const auto asked = cooling.requests();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_LT(received(fallback.requests(), 0) - received(asked, 0), 1000);
  EXPECT_EQ(fallback.stats()["requests"], 3);
}

TEST(retry_after, a_replica_that_keeps_asking_fails_the_request_with_its_retry_after) {
  mock busy("busy", {"--status", "503", "--retry-after", "1"});
  gateway llmd("models:\n" + model_entry("m", busy, "    retries: 1\n"));
  const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(r.status, 502u);
  EXPECT_EQ(r.header("retry-after"), "1");
  EXPECT_EQ(r.header("x-llmd-attempts"), "2");
  const auto seen = busy.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_GE(received(seen, 1) - received(seen, 0), 1000);
}

// Requests sent by a few clients in a loop until stopped; every one must be answered.
class steady_traffic {
 public:
  steady_traffic(const gateway& llmd, int clients) {
    for (int i = 0; i < clients; ++i) {
      threads_.emplace_back([this, &llmd] {
        while (!stop_) {
          if (llmd.post("/v1/chat/completions", chat_body("m")).status != 200) ++failed_;
        }
      });
    }
  }
  ~steady_traffic() { stop(); }
  int stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    return failed_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_{0};
  std::vector<std::thread> threads_;
};

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ejection, failures_of_requests_in_flight_eject_once_and_one_trial_follows_the_cooldown) {
  mock sick("sick", {"--status", "500", "--delay", "500ms"});
  mock good("good", {"--delay", "500ms", "--threads", "2"});
  gateway llmd("health:\n  failures_to_eject: 3\n  cooldown: 4s\nmodels:\n" +
               model_entry("m", sick, "    retries: 1\n    max_concurrent: 4\n") +
               model_entry("m", good, "    retries: 1\n    max_concurrent: 64\n"));
  // Eight requests at once: four of them are in flight to the sick replica together, and all
  // four fail. They are retried on the good one.
  {
    std::vector<std::thread> burst;
    std::atomic<int> ok{0};
    for (int i = 0; i < 8; ++i) {
      burst.emplace_back([&] {
        if (llmd.post("/v1/chat/completions", chat_body("m")).status == 200) ++ok;
      });
    }
    for (auto& t : burst) t.join();
    EXPECT_EQ(ok, 8);
  }
  const auto sick_id = replica_id("m", sick);
  ASSERT_EQ(sick.stats()["max_in_flight"], 4);
  const auto streak = sick.requests();
  ASSERT_EQ(streak.size(), 4u);
  EXPECT_EQ(count(llmd.proc().log(), sick_id + " ejected"), 1) << llmd.proc().log();
  EXPECT_EQ(llmd.replica(sick_id)["ejections_in_a_row"], 1);
  EXPECT_LE(llmd.replica(sick_id)["ejected_for_ms"].get<int>(), 4000);

  // Traffic goes on from several clients; after the cooldown exactly one trial reaches the sick
  // replica, it fails, and the replica is ejected again for twice as long.
  steady_traffic traffic(llmd, 4);
  ASSERT_TRUE(eventually([&] { return llmd.replica(sick_id)["ejections_in_a_row"] == 2; }, 15s, "the trial failing"));
  EXPECT_EQ(traffic.stop(), 0);
  const auto seen = sick.requests();
  ASSERT_EQ(seen.size(), 5u) << "one trial, whatever the concurrency";
  const double trial = received(seen, 4);
  EXPECT_GE(trial - received(streak, 3), 4000);
  // Had the streak's last failures ejected it again, its cooldown would have been 8 s or more.
  EXPECT_LT(trial - received(streak, 0), 8000);
  const auto log = llmd.proc().log();
  EXPECT_EQ(count(log, sick_id + " ejected"), 2) << log;
  EXPECT_EQ(count(log, sick_id + " ejected for 8000ms"), 1) << log;
  EXPECT_GT(llmd.replica(sick_id)["ejected_for_ms"].get<int>(), 4000);
}

}  // namespace
}  // namespace llmd::test
