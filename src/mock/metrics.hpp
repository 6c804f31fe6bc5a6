// GET /metrics: the vLLM metric names the gateway's scorers read, in Prometheus text format.
#pragma once

#include "stats.hpp"

#include <string>
#include <string_view>

namespace llmd::mock {

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const stats_snapshot& s, std::string_view model);

}  // namespace llmd::mock
