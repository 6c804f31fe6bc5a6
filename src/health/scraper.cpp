// Reading a replica's engine: GET its metrics path every interval, read vLLM's and SGLang's
// queue, running and KV-cache gauges, and store them in the replica's signals. A scrape that fails
// (no answer within its timeout, a status other than 200, a malformed page) is counted and leaves
// the last values to age: past three intervals the scorers ignore them.
#include <array>
#include <variant>
#include <spdlog/spdlog.h>

#include "every.hpp"
#include "fetch.hpp"
#include "llmd/metrics/text_reader.hpp"
#include "loops.hpp"

namespace llmd::health {

using metrics::combine;

namespace {

// Engines' pages run to a few hundred KB with their histograms.
constexpr std::size_t page_limit = 4 * 1024 * 1024;

// Queues and running requests add up over an engine's data-parallel ranks; a KV cache is as full
// as its fullest rank.
constexpr std::array<metrics::wanted_family, 7> families = {{
    {"vllm:num_requests_waiting", combine::sum},
    {"sglang:num_queue_reqs", combine::sum},
    {"vllm:num_requests_running", combine::sum},
    {"sglang:num_running_reqs", combine::sum},
    {"vllm:kv_cache_usage_perc", combine::max},
    {"vllm:gpu_cache_usage_perc", combine::max},  // vLLM before 0.10
    {"sglang:token_usage", combine::max},
}};

std::optional<double> first_of(const std::optional<double>& a, const std::optional<double>& b,
                               const std::optional<double>& c = std::nullopt) {
  return a ? a : b ? b : c;
}

// The signals of a page, or why it gave none.
std::variant<router::signal_values, std::string> read_page(const std::string& page) {
  std::array<std::optional<double>, families.size()> v;
  if (const auto failure = metrics::read_families(page, families, v)) {
    return "line " + std::to_string(failure->line) + ": " + failure->what;
  }
  router::signal_values out{first_of(v[0], v[1]), first_of(v[2], v[3]), first_of(v[4], v[5], v[6])};
  if (!out.waiting && !out.running && !out.kv_usage) return std::string("no vLLM or SGLang gauges on the page");
  return out;
}

// The signals, or why the scrape gave none.
awaitable<std::variant<router::signal_values, std::string>> scrape_once(upstream::connection_pool& connections,
                                                                        const upstream::target& target,
                                                                        const config::metrics_scrape& scrape,
                                                                        const std::string& head) {
  const auto got = co_await fetch(connections, target, head, scrape.timeout, page_limit);
  if (!got.error.empty()) co_return got.error;
  if (got.status != 200) co_return "status " + std::to_string(got.status);
  co_return read_page(got.body);
}

}  // namespace

awaitable<void> scrape_forever(std::shared_ptr<router::backend_pool> pool, int index,
                               upstream::connection_pool& connections, const upstream::target& target,
                               std::shared_ptr<const bool> stopped) {
  auto& backend = pool->replica_at(index);
  const auto& scrape = *backend.entry->metrics;
  const auto head = get_head(*backend.entry, scrape.path, "llm-d metrics scrape");
  bool was_failing = false;
  co_await every(
      scrape.interval, stopped, [&] { return scrape_once(connections, target, scrape, head); },
      [&](std::variant<router::signal_values, std::string>& result) {
        auto* signals = std::get_if<router::signal_values>(&result);
        if (signals) {
          signals->ours = backend.in_flight().load(std::memory_order_relaxed);
          backend.signals().store(*signals, std::chrono::steady_clock::now());
          if (was_failing) spdlog::info("{}: metrics read again", backend.id);
        } else {
          backend.signals().failed();
          if (!was_failing) spdlog::warn("{}: metrics scrape failed: {}", backend.id, std::get<std::string>(result));
        }
        was_failing = !signals;
      });
}

}  // namespace llmd::health
