// The first stage of choosing a replica: filters drop the replicas that cannot take the request
// now, and say why, so that a pick that finds none can tell full from unhealthy from cooling.
// Each filter is one file in src/router/; filters() lists them in the order they run.
#pragma once

#include <span>

#include "llmd/router/candidate.hpp"

namespace llmd::router {

enum class verdict {
  keep,
  unhealthy,  // ejected or failing its probes
  cooling,    // asked by Retry-After to be left alone, and the request may not take it yet
  full,       // at max_concurrent
};

class filter {
 public:
  virtual ~filter() = default;
  virtual verdict check(const candidate& c, const pick_options& options) const = 0;
};

// Ejected or failing replicas go (unless in panic mode), and cooling ones unless the request may
// take them.
const filter& health_filter();
// Replicas at max_concurrent go.
const filter& capacity_filter();

// Every filter, in order.
std::span<const filter* const> filters();

}  // namespace llmd::router
