// What the daemon knows of its client connections in order to stop gracefully and to cap them:
// how many requests are being answered and connections open, and whether it is draining (no new
// connections are accepted, a request that arrives on an open one is answered with
// Connection: close, and /ready says 503).
#pragma once

#include <atomic>
#include <cstddef>

namespace llmd::http {

struct traffic {
  std::atomic<int> requests{0};
  std::atomic<std::size_t> connections{0};  // client connections open, every listener's
  std::atomic<bool> draining{false};
};

}  // namespace llmd::http
