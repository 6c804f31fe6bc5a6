// GET /metrics: the gauges the gateway's scorers read, under vLLM's current or older names or
// SGLang's, with the values a test set (POST /mock/config), in Prometheus text format.
#pragma once

#include "behavior.hpp"
#include "stats.hpp"

#include <string>
#include <string_view>

namespace llmd::mock {

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const stats_snapshot& s, const behavior& b, std::string_view model);

}  // namespace llmd::mock
