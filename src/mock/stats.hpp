// What the mock saw: counters for /mock/stats and /metrics, and the log behind /mock/requests.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace llmd::mock {

// How a /v1 POST ended.
enum class outcome {
  completed,  // the whole response was written
  cancelled,  // the client went away first
  aborted,    // the mock aborted the connection on purpose (--reset, --break-after)
};

// What the TLS handshake of a connection agreed.
struct tls_info {
  std::string sni;  // "" when the client sent none
  bool resumed = false;
  std::string version;    // e.g. "TLSv1.3"
  std::string client_cn;  // "" without a client certificate
};

struct logged_request {
  std::chrono::steady_clock::time_point received;
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::optional<tls_info> tls;  // nullopt over plain TCP
};

struct tls_totals {
  std::uint64_t handshakes, resumed, failed_handshakes;
  std::string last_sni;
};

struct stats_snapshot {
  std::uint64_t requests, in_flight, max_in_flight, completed, cancelled, aborted;
  std::uint64_t connections, open_connections;
  std::uint64_t successes, prompt_tokens, generation_tokens;
  tls_totals tls;
};

class stats_recorder {
 public:
  static constexpr std::size_t log_capacity = 200;

  void connection_opened();
  void connection_closed();
  void tls_handshake_done(const tls_info& t);
  void tls_handshake_failed();

  void request_started();
  void request_ended(outcome o);
  void add_success(std::uint64_t prompt_tokens);
  void add_generation_tokens(std::uint64_t n) { generation_tokens_.fetch_add(n, std::memory_order_relaxed); }

  void log(logged_request r);
  std::uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed) + 1; }

  // Zeroes the totals (TLS's too) and the log; the live gauges (in_flight, open_connections) stay.
  void reset();

  stats_snapshot snapshot() const;
  nlohmann::ordered_json requests_json() const;

 private:
  using counter = std::atomic<std::uint64_t>;
  counter requests_{0}, in_flight_{0}, max_in_flight_{0}, completed_{0}, cancelled_{0}, aborted_{0};
  counter connections_{0}, open_connections_{0};
  counter successes_{0}, prompt_tokens_{0}, generation_tokens_{0};
  counter tls_handshakes_{0}, tls_resumed_{0}, tls_failed_handshakes_{0};
  counter next_id_{0};

  mutable std::mutex sni_mutex_;
  std::string last_sni_;

  mutable std::mutex log_mutex_;
  std::deque<logged_request> log_;
};

nlohmann::ordered_json to_json(const stats_snapshot& s, const std::string& name);

// Counts one /v1 POST as in flight for its lifetime; the outcome defaults to cancelled so a
// request dropped at shutdown is not lost.
class in_flight_request {
 public:
  explicit in_flight_request(stats_recorder& s) : stats_(s) { stats_.request_started(); }
  ~in_flight_request() { stats_.request_ended(outcome_); }
  in_flight_request(const in_flight_request&) = delete;
  in_flight_request& operator=(const in_flight_request&) = delete;

  void end_as(outcome o) { outcome_ = o; }

 private:
  stats_recorder& stats_;
  outcome outcome_ = outcome::cancelled;
};

}  // namespace llmd::mock
