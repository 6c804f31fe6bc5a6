// Reloading the config while serving. The file is read again (on SIGHUP, or when it changes with
// watch_config) and checked as --check-config checks it: a valid config becomes the snapshot new
// requests start on, while requests in flight finish on the one they started with; an invalid
// one is refused with the same messages, in the log, and the running config keeps serving.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "llmd/app/cli.hpp"
#include "llmd/app/runtime.hpp"
#include "llmd/config/config.hpp"

namespace llmd::app {

// What a running process cannot take without a restart: listen, workers, admin.listen, and
// listen_tls on or off. Copies the running values into `next` and names each one that differed.
std::vector<std::string> keep_restart_settings(config::config& next, const config::config& running);

// Reads `path` as it is now and publishes its snapshot in `slot`, taking over from the one there;
// returns it, or null when the file is refused. Logs what it did, and counts it in
// llmd_config_reloads_total once requests start on it.
std::shared_ptr<runtime> reload(const std::string& path, const options& opts, runtime_slot& slot, runtime_base base);

}  // namespace llmd::app
