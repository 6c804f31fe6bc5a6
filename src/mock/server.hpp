// Listens, accepts and runs the io_context threads until SIGINT or SIGTERM.
#pragma once

#include "context.hpp"

namespace llmd::mock {

// Returns the process exit code.
int run_server(context& ctx);

}  // namespace llmd::mock
