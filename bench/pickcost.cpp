// llm-d-pickcost: what choosing a replica costs, alone: the filters, the scorers and the picker
// over one group of N replicas with requests in flight, and the slot claimed and given back, in
// a tight loop on one thread; then what reading an 8 KB prompt into block hashes costs. Prints one
// JSON line per measure. See bench/README.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "llmd/api/prompt_blocks.hpp"
#include "llmd/config/config.hpp"
#include "llmd/router/backend_pool.hpp"

namespace {

using namespace llmd;

std::shared_ptr<const config::config> pool_config(int replicas, const std::string& policy) {
  auto cfg = std::make_shared<config::config>();
  for (int i = 0; i < replicas; ++i) {
    config::model_entry e;
    e.name = "bench";
    e.id = "bench@10.0.0." + std::to_string(i) + ":8000";
    e.max_concurrent = 1000;
    e.weight = 1 + i % 3;
    cfg->models.push_back(e);
  }
  if (policy != "default") {
    cfg->routing.policy = policy;
    cfg->routing.scorers = *config::policy_scorers(policy);
  }
  return cfg;
}

// Nanoseconds per call of `f`, the best of a few runs of `times` calls.
template <class F>
double measure(int times, F f) {
  double best = 1e18;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < times; ++i) f();
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / times);
  }
  return best;
}

// A chat body of about 8 KB: a long system prompt and a question.
std::string chat_body() {
  std::string system;
  while (system.size() < 8000) system += "Answer carefully, cite your sources, and keep it short. ";
  return R"({"model":"bench","messages":[{"role":"system","content":")" + system +
         R"("},{"role":"user","content":"What is a load balancer?"}]})";
}

}  // namespace

int main(int argc, char** argv) {
  const int replicas = argc > 1 ? std::atoi(argv[1]) : 8;
  constexpr int picks = 200000;
  const std::string body = chat_body();
  api::prompt_blocks prompt(256);
  api::scan_request(body, &prompt);
  for (const std::string policy : {"round_robin", "random", "least_loaded", "prefix_affinity", "default"}) {
    router::backend_pool pool(pool_config(replicas, policy));
    // Some requests in flight on each replica, held for the whole run.
    std::vector<router::lease> held;
    for (int i = 0; i < 3 * replicas; ++i) held.push_back(pool.try_acquire(0, std::chrono::steady_clock::now()).taken);
    const auto now = std::chrono::steady_clock::now();
    const double bare = measure(picks, [&] {
      if (!pool.try_acquire(0, now).taken) std::abort();
    });
    // With the 8 KB prompt's blocks, which the index knows from the first pick on.
    const router::pick_options with_prompt{.hints = {.prompt = prompt.hashes()}};
    const double prompted = measure(picks / 10, [&] {
      if (!pool.try_acquire(0, now, with_prompt).taken) std::abort();
    });
    std::printf("{\"policy\":\"%s\",\"replicas\":%d,\"ns_per_pick\":%.0f,\"ns_per_pick_8kb_prompt\":%.0f}\n",
                policy.c_str(), replicas, bare, prompted);
  }
  const double scan = measure(20000, [&] { api::scan_request(body); });
  const double scan_and_hash = measure(20000, [&] {
    api::prompt_blocks blocks(256);
    api::scan_request(body, &blocks);
  });
  const double kb = static_cast<double>(body.size()) / 1024;
  std::printf("{\"prompt_bytes\":%zu,\"blocks\":%zu,\"ns_per_kb_scan\":%.0f,\"ns_per_kb_scan_and_hash\":%.0f}\n",
              body.size(), prompt.hashes().size(), scan / kb, scan_and_hash / kb);
}
