#include "stats.hpp"

namespace llmd::mock {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

}  // namespace

void stats_recorder::connection_opened() {
  connections_.fetch_add(1, relaxed);
  open_connections_.fetch_add(1, relaxed);
}

void stats_recorder::connection_closed() { open_connections_.fetch_sub(1, relaxed); }

void stats_recorder::tls_handshake_done(const tls_info& t) {
  tls_handshakes_.fetch_add(1, relaxed);
  if (t.resumed) tls_resumed_.fetch_add(1, relaxed);
  std::lock_guard lock(sni_mutex_);
  last_sni_ = t.sni;
}

void stats_recorder::tls_handshake_failed() { tls_failed_handshakes_.fetch_add(1, relaxed); }

void stats_recorder::request_started() {
  requests_.fetch_add(1, relaxed);
  auto now = in_flight_.fetch_add(1, relaxed) + 1;
  auto peak = max_in_flight_.load(relaxed);
  while (now > peak && !max_in_flight_.compare_exchange_weak(peak, now, relaxed)) {
  }
}

void stats_recorder::request_ended(outcome o) {
  in_flight_.fetch_sub(1, relaxed);
  switch (o) {
    case outcome::completed: completed_.fetch_add(1, relaxed); break;
    case outcome::cancelled: cancelled_.fetch_add(1, relaxed); break;
    case outcome::aborted: aborted_.fetch_add(1, relaxed); break;
  }
}

void stats_recorder::add_success(std::uint64_t prompt_tokens) {
  successes_.fetch_add(1, relaxed);
  prompt_tokens_.fetch_add(prompt_tokens, relaxed);
}

void stats_recorder::log(logged_request r) {
  std::lock_guard lock(log_mutex_);
  if (log_.size() == log_capacity) log_.pop_front();
  log_.push_back(std::move(r));
}

void stats_recorder::reset() {
  for (counter* c : {&requests_, &completed_, &cancelled_, &aborted_, &connections_, &successes_, &prompt_tokens_,
                     &generation_tokens_, &tls_handshakes_, &tls_resumed_, &tls_failed_handshakes_})
    c->store(0, relaxed);
  max_in_flight_.store(in_flight_.load(relaxed), relaxed);
  {
    std::lock_guard lock(sni_mutex_);
    last_sni_.clear();
  }
  std::lock_guard lock(log_mutex_);
  log_.clear();
}

stats_snapshot stats_recorder::snapshot() const {
  std::string last_sni;
  {
    std::lock_guard lock(sni_mutex_);
    last_sni = last_sni_;
  }
  return {.requests = requests_.load(relaxed),
          .in_flight = in_flight_.load(relaxed),
          .max_in_flight = max_in_flight_.load(relaxed),
          .completed = completed_.load(relaxed),
          .cancelled = cancelled_.load(relaxed),
          .aborted = aborted_.load(relaxed),
          .connections = connections_.load(relaxed),
          .open_connections = open_connections_.load(relaxed),
          .successes = successes_.load(relaxed),
          .prompt_tokens = prompt_tokens_.load(relaxed),
          .generation_tokens = generation_tokens_.load(relaxed),
          .tls = {.handshakes = tls_handshakes_.load(relaxed),
                  .resumed = tls_resumed_.load(relaxed),
                  .failed_handshakes = tls_failed_handshakes_.load(relaxed),
                  .last_sni = std::move(last_sni)}};
}

nlohmann::ordered_json stats_recorder::requests_json() const {
  auto out = nlohmann::ordered_json::array();
  std::lock_guard lock(log_mutex_);
  for (const auto& r : log_) {
    auto headers = nlohmann::ordered_json::object();
    for (const auto& [name, value] : r.headers) {
      auto& slot = headers[name];
      slot = slot.is_null() ? value : slot.get<std::string>() + ", " + value;
    }
    // The monotonic clock (CLOCK_MONOTONIC) is one per machine: times compare across processes.
    const double received_ms =
        std::chrono::duration<double, std::milli>(r.received.time_since_epoch()).count();
    nlohmann::ordered_json tls = nullptr;
    if (r.tls)
      tls = {{"sni", r.tls->sni},
             {"resumed", r.tls->resumed},
             {"version", r.tls->version},
             {"client_cn", r.tls->client_cn}};
    out.push_back({{"received_at_ms", received_ms},
                   {"method", r.method},
                   {"target", r.target},
                   {"headers", std::move(headers)},
                   {"body", r.body},
                   {"tls", std::move(tls)}});
  }
  return out;
}

nlohmann::ordered_json to_json(const stats_snapshot& s, const std::string& name) {
  return {{"name", name},
          {"requests", s.requests},
          {"in_flight", s.in_flight},
          {"max_in_flight", s.max_in_flight},
          {"completed", s.completed},
          {"cancelled", s.cancelled},
          {"aborted", s.aborted},
          {"connections", s.connections},
          {"open_connections", s.open_connections},
          {"successes", s.successes},
          {"prompt_tokens", s.prompt_tokens},
          {"generation_tokens", s.generation_tokens},
          {"tls",
           {{"handshakes", s.tls.handshakes},
            {"resumed", s.tls.resumed},
            {"failed_handshakes", s.tls.failed_handshakes},
            {"last_sni", s.tls.last_sni}}}};
}

}  // namespace llmd::mock
