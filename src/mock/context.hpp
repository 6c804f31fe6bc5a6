// What every connection shares: the options, the runtime behaviour and the stats.
#pragma once

#include "behavior.hpp"
#include "options.hpp"
#include "stats.hpp"

#include <utility>

namespace llmd::mock {

struct context {
  explicit context(options o) : opts(std::move(o)), config(opts.defaults) {}

  const options opts;
  runtime_config config;
  stats_recorder stats;
};

}  // namespace llmd::mock
