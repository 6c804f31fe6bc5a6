// What every connection shares: the options, the runtime behaviour, the TLS context and the
// stats.
#pragma once

#include "behavior.hpp"
#include "options.hpp"
#include "stats.hpp"
#include "tls.hpp"

#include <optional>
#include <utility>

namespace llmd::mock {

struct context {
  // Throws std::runtime_error when the TLS files cannot be used.
  explicit context(options o)
      : opts(std::move(o)), config(opts.defaults), tls(make_server_tls(opts.tls)), prefill(opts.prefill) {}

  const options opts;
  runtime_config config;
  std::optional<boost::asio::ssl::context> tls;  // nullopt: plain HTTP
  stats_recorder stats;
  prefill_model prefill;
};

}  // namespace llmd::mock
