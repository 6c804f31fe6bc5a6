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

}  // namespace

std::string render_metrics(const stats_snapshot& s, std::string_view model) {
  std::string labels = "{model_name=\"" + label_value(model) + "\"}";
  char usage[32];
  std::snprintf(usage, sizeof usage, "%g", std::min(1.0, static_cast<double>(s.in_flight) / cache_capacity));
  std::string out;
  metric(out, "vllm:num_requests_running", "gauge", "Number of requests currently running.", labels,
         std::to_string(s.in_flight));
  metric(out, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.", labels, "0");
  metric(out, "vllm:gpu_cache_usage_perc", "gauge", "GPU KV-cache usage. 1 means 100 percent usage.", labels, usage);
  metric(out, "vllm:request_success_total", "counter", "Count of successfully processed requests.", labels,
         std::to_string(s.successes));
  metric(out, "vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", labels,
         std::to_string(s.prompt_tokens));
  metric(out, "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", labels,
         std::to_string(s.generation_tokens));
  return out;
}

}  // namespace llmd::mock
