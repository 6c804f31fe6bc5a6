// Minutes of mixed load while backends crash, restart and fail: every client gets a full answer
// or a well-formed error, and afterwards nothing is left held.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using steady = std::chrono::steady_clock;

std::chrono::seconds chaos_duration() {
  const char* env = std::getenv("LLMD_CHAOS_SECONDS");
  return std::chrono::seconds(env ? std::atoi(env) : 180);
}

bool is_openai_error(const std::string& body) {
  const auto j = json::parse(body, nullptr, false);
  return j.is_object() && j.contains("error") && j["error"].contains("message") && j["error"].contains("type");
}

// "" when the SSE body is whole: events that parse, ending with [DONE] or an error event.
std::string check_stream(const std::string& body) {
  std::size_t at = 0;
  bool ended = false;
  while (at < body.size()) {
    const auto end = body.find("\n\n", at);
    if (end == std::string::npos) return "incomplete event at byte " + std::to_string(at);
    const auto event = body.substr(at, end - at);
    at = end + 2;
    if (ended) return "event after the end";
    if (event.rfind("data: ", 0) != 0) return "not a data event: " + event;
    const auto data = event.substr(6);
    if (data == "[DONE]") {
      ended = true;
      continue;
    }
    const auto j = json::parse(data, nullptr, false);
    if (j.is_discarded()) return "event is not JSON: " + data;
    if (j.contains("error")) ended = true;
  }
  return ended ? "" : "stream ended without [DONE] or an error event";
}

struct tally {
  std::atomic<int> answers{0};
  std::atomic<int> errors{0};
  std::atomic<int> walked_away{0};
  std::mutex mutex;
  std::vector<std::string> defects;

  void defect(std::string what) {
    std::lock_guard lock(mutex);
    if (defects.size() < 20) defects.push_back(std::move(what));
  }
};

void one_request(unsigned short port, int kind, tally& t) {
  try {
    connection c(port, 20s);
    if (kind == 0) {
      c.send("POST", "/v1/chat/completions", chat_body("a"));
      const auto r = c.read_response();
      if (r.status == 200 && json::parse(r.body)["choices"].size() == 1) {
        ++t.answers;
      } else if (r.status != 200 && is_openai_error(r.body)) {
        ++t.errors;
      } else {
        t.defect("chat: status " + std::to_string(r.status) + " body " + r.body);
      }
    } else if (kind == 1 || kind == 3) {
      c.send("POST", "/v1/chat/completions", chat_body("a", true));
      const auto head = c.read_header();
      std::string body;
      if (kind == 3) {
        c.read_piece();
        ++t.walked_away;
        return;
      }
      while (auto p = c.read_piece()) body += p->data;
      if (head.status != 200) {
        if (is_openai_error(body)) {
          ++t.errors;
        } else {
          t.defect("stream: status " + std::to_string(head.status) + " body " + body);
        }
        return;
      }
      const auto problem = check_stream(body);
      if (!problem.empty()) t.defect("stream: " + problem);
      if (body.find("[DONE]") != std::string::npos) {
        ++t.answers;
      } else {
        ++t.errors;
      }
    } else {
      c.send("POST", "/v1/embeddings", R"({"model":"a","input":["x","y"]})");
      const auto r = c.read_response();
      if (r.status == 200 && json::parse(r.body)["data"].size() == 2) {
        ++t.answers;
      } else if (r.status != 200 && is_openai_error(r.body)) {
        ++t.errors;
      } else {
        t.defect("embeddings: status " + std::to_string(r.status));
      }
    }
  } catch (const std::exception& e) {
    if (kind != 3) t.defect(std::string("kind ") + std::to_string(kind) + ": " + e.what());
  }
}

TEST(chaos, crashing_and_failing_backends_never_reach_a_client_as_anything_but_an_error) {
  std::vector<std::unique_ptr<mock>> mocks;
  for (const char* name : {"a0", "a1", "b"}) {
    mocks.push_back(std::make_unique<mock>(name, std::vector<std::string>{"--tokens", "20", "--token-interval", "5ms"}));
  }
  gateway llmd("workers: 2\n"
               "health:\n  failures_to_eject: 2\n  cooldown: 500ms\n"
               "queue:\n  max_wait: 2s\n"
               "defaults:\n  retries: 1\n  retry_backoff: 10ms\n  first_byte_timeout: 2s\n  idle_timeout: 2s\n"
               "models:\n"
               "  - name: a\n    endpoint: " + mocks[0]->endpoint() + "\n    max_concurrent: 6\n"
               "  - name: a\n    endpoint: " + mocks[1]->endpoint() + "\n    max_concurrent: 6\n"
               "  - name: b\n    endpoint: " + mocks[2]->endpoint() + "\n    max_concurrent: 4\n");
  const int baseline = llmd.proc().open_descriptors();
  tally t;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 12; ++i) {
    clients.emplace_back([&, i] {
      std::mt19937 rng(1000 + i);
      while (!stop) one_request(llmd.port(), static_cast<int>(rng() % 4), t);
    });
  }

  std::mt19937 rng(42);
  const auto until = steady::now() + chaos_duration();
  int crashes = 0;
  while (steady::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + rng() % 800));
    auto& victim = *mocks[rng() % mocks.size()];
    if (rng() % 3 == 0) {
      victim.configure({{"status", 500}});
      std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 700));
      victim.configure({{"status", 0}});
    } else {
      victim.crash();
      ++crashes;
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 600));
      victim.restart();
    }
  }
  stop = true;
  for (auto& c : clients) c.join();

  for (const auto& d : t.defects) ADD_FAILURE() << d;
  EXPECT_GT(t.answers, 500) << "too little load to mean anything";
  EXPECT_GT(crashes, 5);
  std::printf("chaos: %d answers, %d errors, %d walked away, %d crashes\n", t.answers.load(), t.errors.load(),
              t.walked_away.load(), crashes);

  // Nothing held: no slot, no queued request, no descriptor beyond the keep-alive pools.
  EXPECT_TRUE(eventually(
      [&] {
        const auto state = json::parse(llmd.get("/admin/backends").body);
        int in_flight = 0;
        for (const auto& r : state["replicas"]) in_flight += r["in_flight"].get<int>();
        return in_flight == 0 && state["queue"]["waiting"] == 0;
      },
      10s, "every slot and queue place released"));
  for (const auto& m : mocks) {
    EXPECT_TRUE(eventually([&] { return m->stats()["in_flight"] == 0; }, 10s, "every upstream request ended"));
  }
  // Idle keep-alive connections stay, at most one per slot and worker; those to crashed processes
  // are swept away.
  const int pooled_at_most = 2 /* workers */ * 16 /* slots */;
  EXPECT_TRUE(eventually([&] { return llmd.proc().open_descriptors() <= baseline + pooled_at_most; }, 10s,
                         "descriptors back within the keep-alive pools"));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
}

}  // namespace
}  // namespace llmd::test
