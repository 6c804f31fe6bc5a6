// The running daemon: one worker thread per core, each with its own event loop, listener,
// upstream connections and request path, sharing only the current snapshot of the config
// (runtime) and its atomic slot counters. SIGHUP, or a change of the file with watch_config,
// reloads the config; SIGUSR1 reopens the access log; SIGINT or SIGTERM drains and stops.
#pragma once

#include <memory>
#include <string>

#include "llmd/app/cli.hpp"
#include "llmd/config/config.hpp"

namespace llmd::app {

// Serves `cfg`, read from `path`, until SIGINT or SIGTERM; returns the process exit code. Prints
// "llm-d listening on HOST:PORT" to stdout once every worker is accepting, then with admin.listen
// "llm-d admin listening on HOST:PORT".
int run_daemon(std::shared_ptr<const config::config> cfg, const std::string& path, const options& opts);

}  // namespace llmd::app
