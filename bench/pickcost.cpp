// llm-d-pickcost: what choosing a replica costs, alone: the filters, the scorers and the picker
// over one group of N replicas with requests in flight, and the slot claimed and given back, in
// a tight loop on one thread. Prints one JSON line per policy. See bench/README.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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

// Nanoseconds per pick, the best of a few runs.
double measure(router::backend_pool& pool, int picks) {
  double best = 1e18;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < picks; ++i) {
      auto got = pool.try_acquire(0, start);
      if (!got.taken) std::abort();
    }
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / picks);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int replicas = argc > 1 ? std::atoi(argv[1]) : 8;
  constexpr int picks = 200000;
  for (const std::string policy : {"round_robin", "random", "least_loaded", "default"}) {
    router::backend_pool pool(pool_config(replicas, policy));
    // Some requests in flight on each replica, held for the whole run.
    std::vector<router::lease> held;
    for (int i = 0; i < 3 * replicas; ++i) held.push_back(pool.try_acquire(0, std::chrono::steady_clock::now()).taken);
    std::printf("{\"policy\":\"%s\",\"replicas\":%d,\"ns_per_pick\":%.0f}\n", policy.c_str(), replicas,
                measure(pool, picks));
  }
}
