// The running daemon: one worker thread per core, each with its own event loop, listener,
// upstream connections and request path, sharing only the immutable config and the pool's
// atomic slot counters.
#pragma once

#include <memory>
#include <string>

#include "llmd/app/cli.hpp"
#include "llmd/config/config.hpp"

namespace llmd::app {

// Serves until SIGINT or SIGTERM; returns the process exit code. Prints
// "llm-d listening on HOST:PORT" to stdout once every worker is accepting, then with admin.listen
// "llm-d admin listening on HOST:PORT".
int run_daemon(std::shared_ptr<const config::config> cfg, const options& opts);

}  // namespace llmd::app
