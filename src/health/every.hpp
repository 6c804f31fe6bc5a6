// The loop a probe and a scrape share: read, then act on what was read, every `interval` until
// `stopped`. Each pause is the interval ±10% and the first falls anywhere in the first interval,
// so that replicas are not read in lockstep. A read that ends after `stopped` is not acted on.
#pragma once

#include <boost/asio/this_coro.hpp>
#include <chrono>
#include <memory>
#include <random>

#include "llmd/config/config.hpp"
#include "llmd/net/executor.hpp"

namespace llmd::health {

// From 0 to 1, at random.
inline double unit_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// `read` is called for an awaitable; `act` gets what it gives.
template <typename Read, typename Act>
awaitable<void> every(config::duration interval, std::shared_ptr<const bool> stopped, Read read, Act act) {
  steady_timer pause(co_await boost::asio::this_coro::executor);
  const auto share = [&](double s) { return std::chrono::duration_cast<config::duration>(interval * s); };
  pause.expires_after(share(unit_random()));
  co_await pause.async_wait(use_tuple);
  while (!*stopped) {
    auto result = co_await read();
    if (*stopped) break;
    act(result);
    pause.expires_after(share(0.9 + 0.2 * unit_random()));
    co_await pause.async_wait(use_tuple);
  }
}

}  // namespace llmd::health
