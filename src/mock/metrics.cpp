#include "metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace llmd::mock {

namespace {

// Simulated KV-cache size in requests: usage reaches 1 at this many in flight.
constexpr double cache_capacity = 64.0;

std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            const std::string& labels, std::string_view value) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  out.append(name).append(labels).append(" ").append(value).append("\n");
}

// The names of one engine's gauges: running, waiting, KV-cache usage (0 to 1).
struct gauge_names {
  std::string_view running;
  std::string_view waiting;
  std::string_view kv_usage;
};

gauge_names names_of(metric_names names) {
  switch (names) {
    case metric_names::vllm_v0:
      return {"vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc"};
    case metric_names::sglang: return {"sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage"};
    case metric_names::vllm: break;
  }
  return {"vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"};
}

}  // namespace

std::string render_metrics(const stats_snapshot& s, const behavior& b, std::string_view model) {
  const std::string labels = "{model_name=\"" + label_value(model) + "\"}";
  const auto names = names_of(b.metrics_as);
  char usage[32];
  std::snprintf(usage, sizeof usage, "%g",
                b.kv_usage.value_or(std::min(1.0, static_cast<double>(s.in_flight) / cache_capacity)));
  std::string out;
  metric(out, names.running, "gauge", "Number of requests currently running.", labels, std::to_string(s.in_flight));
  metric(out, names.waiting, "gauge", "Number of requests waiting to be processed.", labels,
         std::to_string(b.waiting));
  metric(out, names.kv_usage, "gauge", "KV-cache usage. 1 means 100 percent usage.", labels, usage);
  if (b.metrics_as == metric_names::sglang) return out;
  metric(out, "vllm:request_success_total", "counter", "Count of successfully processed requests.", labels,
         std::to_string(s.successes));
  metric(out, "vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", labels,
         std::to_string(s.prompt_tokens));
  metric(out, "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", labels,
         std::to_string(s.generation_tokens));
  return out;
}

}  // namespace llmd::mock
