// The state of one upstream attempt, from connection to the last body byte, and of one request
// across its attempts.
#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "llmd/http/exchange.hpp"
#include "llmd/proxy/failures.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/outcome.hpp"
#include "llmd/upstream/response_parser.hpp"

namespace llmd::proxy {

struct upstream_call {
  // Gives the connection up; the parser goes first, since its fields are the connection's.
  upstream::connection_ptr take_connection() {
    parser.reset();
    return std::move(conn);
  }

  upstream::connection_ptr conn;
  std::optional<upstream::response_parser> parser;
  upstream::outcome result = upstream::outcome::connect_failed;
  unsigned status = 0;
  std::optional<config::duration> retry_after;  // a 429's or 503's Retry-After
  std::chrono::microseconds ttfb{0};             // from the start of the attempt to the response header
  std::string why;                               // what failed to open the connection, for the log
  bool broken = false;                           // the relay ended early: the upstream broke or fell silent
};

// The retry state of one request (Envoy's RetryState): what each group of its chain has used,
// what failed, and when a replica cooling down after a Retry-After may be taken.
struct retry_state {
  struct group_use {
    int attempts = 0;
    std::vector<int> tried;  // replica indices
    bool noted = false;      // its being full or ejected is among the failures
  };
  retry_state(std::size_t groups, request_record& record) : per_group(groups), record(record) {}

  std::vector<group_use> per_group;
  request_record& record;
  std::vector<failure> failures;
  int attempts = 0;
  bool budget_spent = false;
  // This walk of the chain found only replicas cooling down to wait for: pause until then.
  std::optional<std::chrono::steady_clock::time_point> pause_until;
  // The request paused for them: it may now take one (the first that it takes ends the permission).
  bool may_take_cooling = false;
  // A backend said the prompt is too long: its answer, given to the client if no group of
  // context_groups can do better.
  std::optional<http::response> context_error;
  const std::vector<std::string>* context_groups = nullptr;
};

// Shared by the request and the watch on its client: when the client is gone the watch closes
// the upstream connection in use, which ends any pending upstream operation, and emits `stop`,
// which ends any wait bound to it.
struct cancel_state {
  llmd::net::timed_socket* upstream = nullptr;
  boost::asio::cancellation_signal stop;
  bool client_gone = false;
};

}  // namespace llmd::proxy
