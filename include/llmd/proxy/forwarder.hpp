// The proxy: sends a request along its group's chain until a backend answers, then relays the
// answer to the client as it arrives.
//
// The commit point is writing the response header to the client: before it any failure moves
// on to the next group of the chain; after it a failure ends the response (an SSE error event
// for streams). A client that goes away cancels the upstream request at once.
#pragma once

#include "llmd/api/request_fields.hpp"
#include "llmd/http/exchange.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/router/backend_pool.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::proxy {

struct upstream_call;
struct cancel_state;
struct retry_state;

// How trying one group of the chain ended.
enum class group_end { answered, exhausted, full, cooling, unhealthy, stopped, context_exceeded };

// How relaying an answer ended: the client connection may serve another request, or must close;
// or the upstream broke before anything reached the client, so the attempt failed.
enum class relay_end { keep, close, failed };

// Binds one request to the pool and targets of the config it started with, and to its worker's
// connections: made per request, it costs three references.
class forwarder {
 public:
  // `hints`: what the request says about its replica (its prompt's blocks, its session).
  forwarder(router::backend_pool& pool, const upstream::targets& targets, upstream::connection_pool& connections,
            router::affinity hints = {})
      : pool_(pool), targets_(targets), connections_(connections), hints_(hints) {}

  // Answers ex (relayed or an error), noting in `record` what happened; returns whether the
  // client connection may be reused.
  awaitable<bool> forward(http::exchange& ex, const api::request_fields& fields, int group, request_record& record);

 private:
  using clock = std::chrono::steady_clock;

  awaitable<bool> run_chain(http::exchange& ex, const api::request_fields& fields, int group, cancel_state* cancel,
                            request_record& record);
  // Attempts on one group, retries included, until one answers or the group is spent; `keep`
  // tells whether the client connection survives an answer.
  awaitable<group_end> try_group(http::exchange& ex, const api::request_fields& fields, int group, retry_state& state,
                                 bool panic, clock::time_point start, cancel_state* cancel, bool& keep);
  awaitable<bool> try_context_fallbacks(http::exchange& ex, const api::request_fields& fields, retry_state& state,
                                        clock::time_point start, cancel_state* cancel);
  // The group has no replica to take now: notes why, and for a group whose replicas are cooling
  // down, when the request may go there anyway.
  group_end defer(const router::pick& got, int group, retry_state& state, clock::time_point start);
  awaitable<void> attempt(upstream_call& call, http::exchange& ex, const api::request_fields& fields,
                          const router::replica& backend, clock::time_point deadline, cancel_state* cancel,
                          request_record& record);
  awaitable<relay_end> relay(upstream_call& call, http::exchange& ex, const router::replica& backend, int attempts,
                             clock::time_point deadline, cancel_state* cancel, request_record& record);
  awaitable<bool> respond_failure(http::exchange& ex, const api::request_fields& fields, const retry_state& state);

  router::backend_pool& pool_;
  const upstream::targets& targets_;
  upstream::connection_pool& connections_;
  router::affinity hints_;
  bool drop_usage_ = false;  // llm-d asked for the usage of the stream (api::ask_for_usage)
};

}  // namespace llmd::proxy
