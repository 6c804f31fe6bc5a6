// Bucket upper bounds for the histograms llm-d keeps, in seconds.
#pragma once

#include <vector>

namespace llmd::metrics {

// LLM latencies (time to first byte, whole requests, queue waits): 5 ms to 120 s.
std::vector<double> latency_buckets();
// The time llm-d itself adds to a request: 50 µs to 1 s.
std::vector<double> overhead_buckets();

}  // namespace llmd::metrics
