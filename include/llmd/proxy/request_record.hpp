// Everything an operator asks about one request (Envoy's StreamInfo), filled in as the request
// moves along the path and read once at its end by the metrics and the access log.
//
// It refers to the pool's replicas and groups, which outlive the request, and views the request's
// id, method and path, which the session keeps until the record has been read; the model, which
// comes from a body the proxy may rewrite, is copied (and bounded).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/container/small_vector.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmd::router {
struct replica;
}

namespace llmd::proxy {

struct client;

using record_clock = std::chrono::steady_clock;

// How the request ended, as the access log says it.
enum class request_end {
  answered,         // the response went out whole, whatever its status
  refused,          // llm-d answered it itself (4xx): bad request, unknown model, too large
  failed,           // no backend could answer: llm-d's own 429, 502 or 504
  upstream_broken,  // the upstream broke or fell silent after the response began
  client_gone,      // the client left before the end
};

std::string_view describe(request_end end);

// One step along the chain: an attempt on a replica, or a group passed over without one.
struct request_step {
  int group = -1;
  const router::replica* backend = nullptr;  // null: the group was passed over (full, unhealthy, cooling)
  std::string_view reason;                   // "" when the attempt was answered; else a reason label
  unsigned status = 0;                       // the upstream's status, when one came
};

struct request_record {
  record_clock::time_point received{};  // the request's header was read
  boost::asio::ip::tcp::endpoint client;
  // Views into the session's request and exchange, which outlive the record (it ends before the
  // handler returns).
  std::string_view request_id;
  std::string_view method;
  std::string_view path;             // without the query, which may carry secrets
  std::optional<std::string> model;  // as the client asked, at most 256 bytes
  const proxy::client* key = nullptr;  // the client key it came with; null without auth

  int group = -1;                             // that took the request; -1: none did
  const router::replica* served = nullptr;    // whose answer the client got
  boost::container::small_vector<request_step, 4> steps;

  unsigned status = 0;
  request_end end = request_end::answered;
  std::string_view rejected;  // why llm-d refused it itself (a reason label), else ""

  std::uint64_t bytes_in = 0;   // request body
  std::uint64_t bytes_out = 0;  // response body as relayed
  std::optional<record_clock::time_point> head_sent;    // the response header reached the socket
  std::optional<record_clock::time_point> first_token;  // streams: the first event went out
  record_clock::time_point finished{};

  // Where the request's time went besides llm-d's own work.
  record_clock::duration queue_wait{};     // waiting for a slot in the queue
  record_clock::duration backoff_wait{};   // backoff and Retry-After pauses
  record_clock::duration upstream_wait{};  // connecting, sending, awaiting the upstream's bytes
  record_clock::duration client_wait{};    // writing to the client

  std::optional<std::uint64_t> prompt_tokens;
  std::optional<std::uint64_t> completion_tokens;

  std::size_t prompt_blocks = 0;   // the prompt's blocks, when a prefix scorer read them
  std::size_t prefix_matched = 0;  // of these, the leading ones the last replica taken had been sent

  void set_model(std::string_view asked);
  record_clock::duration duration() const { return finished - received; }
  // The time llm-d itself spent on the request: the rest.
  record_clock::duration overhead() const;
  int attempts() const;
  int fallbacks() const;
};

// Adds the time from `since` to now to `into` when it goes out of scope, or to `until` when
// stopped there first. A caller that has just read the clock passes its reading as `since` or
// `until`.
class wait_timer {
 public:
  explicit wait_timer(record_clock::duration& into, record_clock::time_point since = record_clock::now())
      : into_(into), since_(since) {}
  ~wait_timer() {
    if (!stopped_) into_ += record_clock::now() - since_;
  }
  wait_timer(const wait_timer&) = delete;
  wait_timer& operator=(const wait_timer&) = delete;

  void stop(record_clock::time_point until) {
    into_ += until - since_;
    stopped_ = true;
  }

 private:
  record_clock::duration& into_;
  record_clock::time_point since_;
  bool stopped_ = false;
};

}  // namespace llmd::proxy
