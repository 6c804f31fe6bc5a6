#include "llmd/proxy/forwarder.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <random>
#include <spdlog/spdlog.h>

#include "llmd/http/parse_error.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/net/write_all.hpp"
#include "llmd/proxy/body_writer.hpp"
#include "llmd/proxy/client_watch.hpp"
#include "llmd/proxy/context_window.hpp"
#include "llmd/proxy/failures.hpp"
#include "llmd/proxy/headers.hpp"
#include "llmd/proxy/recorded_response.hpp"
#include "llmd/proxy/retry.hpp"
#include "llmd/proxy/upstream_call.hpp"
#include "llmd/proxy/usage_scanner.hpp"

namespace llmd::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using upstream::outcome;

namespace {

constexpr std::size_t upstream_header_limit = 64 * 1024;

double unit_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

config::duration until(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<config::duration>(deadline - std::chrono::steady_clock::now());
}

config::duration bounded(config::duration phase, std::chrono::steady_clock::time_point deadline) {
  return std::max(config::duration(0), std::min(phase, until(deadline)));
}

outcome classify_error(const boost::system::error_code& ec, bool timed_out, bool reading_body) {
  if (timed_out) return reading_body ? outcome::timeout_idle : outcome::timeout_first_byte;
  return http::is_malformed(ec) ? outcome::malformed : outcome::reset;
}

// Waits until `when` unless the client leaves first; false when it left. The wait counts as backoff.
awaitable<bool> pause(std::chrono::steady_clock::time_point when, cancel_state* cancel, request_record& record) {
  const wait_timer waited(record.backoff_wait);
  steady_timer timer(co_await net::this_coro::executor, when);
  co_await timer.async_wait(net::bind_cancellation_slot(cancel->stop.slot(), use_tuple));
  cancel->stop.slot().clear();
  co_return !cancel->client_gone;
}

// Tells the replica's health what the attempt came to, and logs what that changed.
void report(router::lease& taken, const upstream_call& call) {
  const auto change = taken.report({.result = call.result,
                                    .retry_after = call.retry_after,
                                    .ttfb = call.ttfb,
                                    .broke_mid_body = call.broken},
                                   std::chrono::steady_clock::now());
  const auto& id = taken.backend()->id;
  if (change.what == router::health_change::kind::ejected) {
    spdlog::warn("{} ejected for {}ms after {}", id, change.cooldown.count(), upstream::describe(call.result));
  } else if (change.what == router::health_change::kind::readmitted) {
    spdlog::info("{} readmitted: it answered again", id);
  }
}

// What the log says of a failed attempt: the outcome, and the status or what broke.
std::string failure_detail(const upstream_call& call) {
  std::string out(upstream::describe(call.result));
  if (call.status) out += ' ' + std::to_string(call.status);
  if (!call.why.empty()) out += ": " + call.why;
  return out;
}

// The record holds the usage seen so far after each piece, so that it has it however the relay ends.
void read_usage(usage_scanner& usage, std::string_view piece, bool last, request_record& record) {
  usage.feed(piece, last);
  record.prompt_tokens = usage.usage().prompt_tokens;
  record.completion_tokens = usage.usage().completion_tokens;
}

// `first` (the piece a read just parsed) and whatever else is already buffered behind it, such
// as several events that arrived together, as one piece: they then leave in one write. The rest
// is copied into `batch`; a malformed rest sets `ec`.
std::string_view with_buffered_rest(upstream::response_parser& parser, beast::flat_buffer& buffer,
                                    std::string_view first, std::string& batch, boost::system::error_code& ec) {
  batch.clear();
  while (!parser.is_done() && buffer.size() > 0) {
    const auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);  // consumed bytes stay where they are until the next read
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec) break;
    const auto more = parser.take_piece();
    if (more.empty()) continue;
    if (batch.empty()) batch.assign(first);
    batch.append(more);
  }
  return batch.empty() ? first : std::string_view(batch);
}

// Reads on to the next piece of the upstream's body, together with what is buffered behind it,
// waiting for the upstream no longer than `idle`; empty when the read parsed no body bytes. The
// piece lies in the connection's read buffer (or in `batch`) until the next read. `ec` is set
// when the upstream broke, fell silent or sent garbage.
awaitable<std::string_view> next_piece(upstream_call& call, config::duration idle, std::string& batch,
                                       boost::system::error_code& ec, request_record& record) {
  auto& conn = *call.conn;
  const auto since = record_clock::now();
  conn.stream.expires_at(since + idle);
  boost::system::error_code rec;
  {
    const wait_timer waited(record.upstream_wait, since);
    std::tie(rec, std::ignore) = co_await bhttp::async_read_some(conn.stream, conn.buffer, *call.parser, use_tuple);
  }
  // While the piece goes on, the upstream is not waited for.
  conn.stream.expires_never();
  ec = rec;
  const auto piece = call.parser->take_piece();
  if (ec) co_return piece;
  co_return with_buffered_rest(*call.parser, conn.buffer, piece, batch, ec);
}

// Reads the answer's header into a fresh parser, past interim answers (100 Continue, 103 Early
// Hints), which RFC 9110 has a client skip when it did not ask for them. A 101, which would switch
// the connection to a protocol llm-d never asked for, ends it: classify_status makes it malformed.
awaitable<boost::system::error_code> read_answer_head(upstream_call& call) {
  auto& conn = *call.conn;
  for (;;) {
    call.parser.emplace(conn.fields, upstream_header_limit);
    call.parser->body_limit(boost::none);
    const auto [ec, n] = co_await bhttp::async_read_header(conn.stream, conn.buffer, *call.parser, use_tuple);
    if (ec || !upstream::is_interim(call.parser->status())) co_return ec;
  }
}

// Reads a small upstream answer whole (a 400's error body) as a response for the client;
// nullopt when the upstream breaks first or the body is implausibly large for an error.
awaitable<std::optional<http::response>> read_whole(upstream_call& call, const router::replica& backend, int attempts,
                                                    std::chrono::steady_clock::time_point deadline,
                                                    request_record& record) {
  constexpr std::size_t limit = 1024 * 1024;
  auto& parser = *call.parser;
  std::string body;
  std::string batch;
  while (!parser.is_done()) {
    boost::system::error_code ec;
    const auto piece = co_await next_piece(call, bounded(backend.entry->timeout.idle, deadline), batch, ec, record);
    body += piece;
    if (ec || body.size() > limit) co_return std::nullopt;
  }
  http::response res{static_cast<bhttp::status>(parser.status()), 11};
  copy_response_headers(parser.fields(), res.base());
  res.set("x-llmd-backend", backend.id);
  res.set("x-llmd-attempts", std::to_string(attempts));
  res.body() = std::move(body);
  co_return res;
}

}  // namespace

awaitable<bool> forwarder::forward(http::exchange& ex, const api::request_fields& fields, int group,
                                   request_record& record) {
  drop_usage_ = fields.usage_added;
  cancel_state cancel;
  pool_.budget().request_started(clock::now());
  client_watch watch(ex, cancel);
  bool keep = false;
  std::exception_ptr failure;
  try {
    keep = co_await run_chain(ex, fields, group, &cancel, record);
  } catch (...) {
    failure = std::current_exception();
  }
  // The watch's handler refers to this frame: it must end before the frame does.
  co_await watch.stop();
  if (cancel.client_gone) record.end = request_end::client_gone;
  if (failure) std::rethrow_exception(failure);
  co_return keep && !cancel.client_gone;
}

awaitable<bool> forwarder::run_chain(http::exchange& ex, const api::request_fields& fields, int group,
                                     cancel_state* cancel, request_record& record) {
  if (cancel->client_gone) co_return false;
  const auto start = clock::now();
  const auto& chain = pool_.groups()[group].chain;
  retry_state state(pool_.groups().size(), record);
  // When every replica of the chain is ejected, trying them beats failing every request.
  const bool panic = !pool_.any_admitted(chain, start);
  for (bool requeued = false;;) {
    bool full = false;
    state.pause_until.reset();
    for (int g : chain) {
      bool keep = false;
      const auto end = co_await try_group(ex, fields, g, state, panic, start, cancel, keep);
      if (cancel->client_gone) co_return false;
      if (end == group_end::answered) co_return keep;
      if (end == group_end::stopped) co_return co_await respond_failure(ex, fields, state);
      if (end == group_end::context_exceeded) co_return co_await try_context_fallbacks(ex, fields, state, start, cancel);
      full = full || end == group_end::full;
    }
    state.may_take_cooling = false;
    // Nothing answered, and replicas that asked for time are left: wait for them, then take one.
    if (state.pause_until) {
      if (!co_await pause(*state.pause_until, cancel, record)) co_return false;
      state.may_take_cooling = true;
      continue;
    }
    // Some group of the chain was full: wait for a slot rather than fail, within the queue's bounds.
    if (!full) break;
    const auto& queue_settings = pool_.settings().queue;
    router::wait_end waited;
    {
      const wait_timer queued(record.queue_wait);
      waited = co_await pool_.queue().wait(pool_.groups()[group].chain_replicas, start + queue_settings.max_wait,
                                           queue_settings.max_waiting, requeued, cancel->stop.slot());
    }
    if (waited != router::wait_end::woken) {
      if (cancel->client_gone) co_return false;
      if (waited == router::wait_end::full) record.rejected = "queue_full";
      break;
    }
    if (cancel->client_gone) co_return false;
    requeued = true;
  }
  co_return co_await respond_failure(ex, fields, state);
}

awaitable<group_end> forwarder::try_group(http::exchange& ex, const api::request_fields& fields, int group,
                                          retry_state& state, bool panic, clock::time_point start, cancel_state* cancel,
                                          bool& keep) {
  auto& use = state.per_group[group];
  bool backed_off = false;
  for (;;) {
    auto got = pool_.try_acquire(group, clock::now(), {&use.tried, panic, state.may_take_cooling, hints_});
    if (!got.taken) co_return defer(got, group, state, start);
    state.record.prefix_matched = got.prefix_matched;
    auto& backend = *got.taken.backend();
    const auto& policy = backend.entry->retry;
    if (use.attempts > policy.retries) co_return group_end::exhausted;
    const auto deadline = start + backend.entry->timeout.request;
    const bool again = std::find(use.tried.begin(), use.tried.end(), backend.index) != use.tried.end();
    // Taking a replica cooling down ends the permission the request's pause gave; the pause was its backoff.
    if (got.cooling) {
      state.may_take_cooling = false;
      backed_off = true;
    }
    if (again && !backed_off) {
      // Only this replica is left: give it a moment, without holding its slot meanwhile.
      got.taken.release();
      const auto resume = clock::now() + backoff_delay(policy, use.attempts, unit_random());
      if (resume >= deadline) co_return group_end::exhausted;
      if (!co_await pause(resume, cancel, state.record)) co_return group_end::stopped;
      backed_off = true;
      continue;
    }
    backed_off = false;
    if (state.attempts > 0 && !pool_.budget().try_retry(clock::now(), pool_.settings().budget)) {
      state.budget_spent = true;
      co_return group_end::stopped;
    }
    ++state.attempts;
    ++use.attempts;
    if (!again) use.tried.push_back(backend.index);

    upstream_call call;
    co_await attempt(call, ex, fields, backend, deadline, cancel, state.record);
    auto& step = state.record.steps.emplace_back(
        request_step{.group = group, .backend = &backend, .reason = upstream::label(call.result), .status = call.status});
    // A trial the lease held goes back with it.
    if (cancel->client_gone) co_return group_end::stopped;
    if (call.result == outcome::ok && call.status == 400 && !backend.entry->context_window_fallbacks.empty() &&
        !state.context_error) {
      auto answer = co_await read_whole(call, backend, state.attempts, deadline, state.record);
      cancel->upstream = nullptr;
      if (cancel->client_gone) co_return group_end::stopped;
      if (answer) {
        report(got.taken, call);
        if (is_context_length_error(answer->body())) {
          step.reason = "context_length";
          state.context_error = std::move(answer);
          state.context_groups = &backend.entry->context_window_fallbacks;
          co_return group_end::context_exceeded;
        }
        state.record.served = &backend;
        keep = co_await respond(ex, state.record, std::move(*answer));
        co_return group_end::answered;
      }
      call.result = outcome::reset;
      step.reason = upstream::label(call.result);
    }
    if (call.result == outcome::ok) {
      report(got.taken, call);
      const auto relayed = co_await relay(call, ex, backend, state.attempts, deadline, cancel, state.record);
      cancel->upstream = nullptr;
      if (relayed != relay_end::failed) {
        if (call.broken && !cancel->client_gone) report(got.taken, call);
        keep = relayed == relay_end::keep;
        co_return group_end::answered;
      }
      // The answer broke before the commit point: a failed attempt like any other.
    }
    cancel->upstream = nullptr;
    report(got.taken, call);
    spdlog::warn("request {}: {} failed: {}", ex.request_id, backend.id, failure_detail(call));
    state.failures.push_back({backend.id, router::unavailable::none, call.result, call.status, call.retry_after});
    if (use.attempts > policy.retries) co_return group_end::exhausted;
  }
}

group_end forwarder::defer(const router::pick& got, int group, retry_state& state, clock::time_point start) {
  auto& use = state.per_group[group];
  const auto now = clock::now();
  if (use.attempts == 0 && !use.noted) {
    std::optional<config::duration> wait;
    if (got.reason == router::unavailable::cooling) {
      wait = std::max(config::duration(0), std::chrono::duration_cast<config::duration>(got.cooling_until - now));
    }
    state.failures.push_back({pool_.groups()[group].name, got.reason, outcome::ok, 0, wait});
    state.record.steps.push_back({.group = group, .reason = router::label(got.reason)});
    use.noted = true;
  }
  if (got.reason == router::unavailable::full) return group_end::full;
  if (got.reason != router::unavailable::cooling) return group_end::unhealthy;
  // Only replicas cooling down are left: later groups go first, then the request waits for them.
  const auto& entry = *got.next_up->entry;
  if (use.attempts > entry.retry.retries) return group_end::exhausted;
  const auto resume = cooling_pause_end(entry.retry, now, got.cooling_until);
  if (resume >= start + entry.timeout.request) return group_end::exhausted;
  state.pause_until = std::min(state.pause_until.value_or(resume), resume);
  return group_end::cooling;
}

awaitable<bool> forwarder::try_context_fallbacks(http::exchange& ex, const api::request_fields& fields,
                                                 retry_state& state, clock::time_point start, cancel_state* cancel) {
  state.may_take_cooling = false;
  for (const auto& name : *state.context_groups) {
    const auto g = pool_.group_named(name);
    if (!g) continue;
    bool keep = false;
    const auto end = co_await try_group(ex, fields, *g, state, false, start, cancel, keep);
    if (cancel->client_gone) co_return false;
    if (end == group_end::answered) co_return keep;
    if (end == group_end::stopped) break;
  }
  // No larger model could answer: the client gets the original "too long" answer.
  state.context_error->set("x-llmd-attempts", std::to_string(state.attempts));
  co_return co_await respond(ex, state.record, std::move(*state.context_error));
}

awaitable<bool> forwarder::respond_failure(http::exchange& ex, const api::request_fields& fields,
                                           const retry_state& state) {
  auto error = summarize(state.failures, fields.model.value_or(""), state.budget_spent);
  auto res = http::error_response(static_cast<bhttp::status>(error.status), error.body());
  if (!error.retry_after.empty()) res.set(bhttp::field::retry_after, error.retry_after);
  res.set("x-llmd-attempts", std::to_string(state.attempts));
  state.record.end = request_end::failed;
  co_return co_await respond(ex, state.record, std::move(res));
}

awaitable<void> forwarder::attempt(upstream_call& call, http::exchange& ex, const api::request_fields& fields,
                                   const router::replica& backend, clock::time_point deadline, cancel_state* cancel,
                                   request_record& record) {
  const auto& entry = *backend.entry;
  std::string rewritten;
  std::string_view body = ex.req.body();
  if (entry.model && fields.model && *fields.model != *entry.model) {
    rewritten = api::rewrite_model(body, fields, *entry.model);
    body = rewritten;
  }

  const auto head = request_head(ex.req, entry, ex.request_id, body.size(), record.key != nullptr);
  const std::array<net::const_buffer, 2> request{net::buffer(head), net::buffer(body)};

  const auto started = clock::now();
  wait_timer waited(record.upstream_wait, started);
  const auto& target = targets_.of(entry);
  // A pooled connection the server closed meanwhile fails without an answer: that costs one
  // more try on a fresh connection, not an attempt.
  for (bool fresh = false;; fresh = true) {
    auto got = co_await connections_.acquire(target, bounded(entry.timeout.connect, deadline), fresh);
    if (!got.conn) {
      call.result = until(deadline).count() <= 0 ? outcome::timeout_first_byte : got.failure;
      call.why = std::move(got.why);
      co_return;
    }
    call.conn = std::move(got.conn);
    cancel->upstream = &call.conn->stream;
    auto& stream = call.conn->stream;
    stream.expires_after(bounded(entry.timeout.first_byte, deadline));

    boost::system::error_code ec = co_await llmd::net::write_all(stream, request);
    if (!ec) {
      call.conn->buffer.clear();
      ec = co_await read_answer_head(call);
    }
    stream.expires_never();
    if (cancel->client_gone) co_return;
    if (!ec) {
      const auto answered = clock::now();
      waited.stop(answered);
      call.ttfb = std::chrono::duration_cast<std::chrono::microseconds>(answered - started);
      call.status = call.parser->status();
      call.result = upstream::classify_status(call.status);
      if (upstream::honours_retry_after(call.result, call.status)) {
        if (const auto value = call.parser->fields().find(bhttp::field::retry_after)) {
          call.retry_after = parse_retry_after(*value, std::chrono::system_clock::now());
        }
      }
      co_return;
    }
    call.result = classify_error(ec, stream.timed_out(), false);
    if (call.result != outcome::reset || !call.conn->reused || fresh) co_return;
    cancel->upstream = nullptr;
    call.take_connection();  // and closes it
  }
}

awaitable<relay_end> forwarder::relay(upstream_call& call, http::exchange& ex, const router::replica& backend,
                                      int attempts, clock::time_point deadline, cancel_state* cancel,
                                      request_record& record) {
  auto& parser = *call.parser;
  auto& upstream = call.conn->stream;
  record.served = &backend;
  record.status = parser.status();

  relay_fields add{ex.req.version(), ex.request_id, backend.id, attempts, std::nullopt, false, ex.req.keep_alive()};
  add.cors_origin = ex.cors_origin;
  if (const auto length = parser.content_length()) {
    add.content_length = *length;
  } else if (parser.is_done()) {
    add.content_length = 0;
  } else if (ex.req.version() >= 11) {
    add.chunked = true;
  } else {
    add.keep_alive = false;  // HTTP/1.0 has no chunked encoding: the body ends when the connection does
  }
  const auto format = usage_format(parser.fields());
  // The format tells an event stream, but for a compressed body.
  const bool sse = format ? *format == body_format::event_stream : is_event_stream(parser.fields());
  std::optional<usage_scanner> usage;
  if (format) usage.emplace(*format);
  body_writer out(ex.client, relayed_head(parser.status(), parser.reason(), parser.fields(), add), add.chunked,
                  ex.write_timeout, sse, record);
  if (drop_usage_ && sse) out.drop_usage_events();
  // The header waits for the first piece of the body only when that piece is already here.
  if (call.conn->buffer.size() == 0 && !parser.is_done()) {
    const bool sent = co_await out.send_head();
    if (!sent) co_return relay_end::close;
  }

  // Bytes after the end of the answer: its framing lied (a Content-Length short of the body), so
  // neither the piece that ended it nor the connection can be trusted.
  const auto overran = [&] { return parser.is_done() && call.conn->buffer.size() > 0; };
  boost::system::error_code broken;
  std::string batch;
  for (;;) {
    if (!broken && overran()) broken = bhttp::error::unexpected_body;
    if (broken || parser.is_done()) break;
    const auto piece =
        co_await next_piece(call, bounded(backend.entry->timeout.idle, deadline), batch, broken, record);
    if (!piece.empty() && !overran()) {
      if (usage) read_usage(*usage, piece, parser.is_done(), record);
      // No co_await inside && or ?: anywhere: GCC 12 miscompiles it.
      const bool sent = co_await out.put(piece);
      if (!sent) co_return relay_end::close;
    }
  }
  if (cancel->client_gone) co_return relay_end::close;
  const auto end_of = [&](bool ended) { return ended && add.keep_alive ? relay_end::keep : relay_end::close; };
  if (!broken) {
    if (parser.keep_alive()) {
      cancel->upstream = nullptr;
      connections_.release(targets_.of(*backend.entry), call.take_connection());
    }
    const bool finished = co_await out.finish();
    co_return end_of(finished);
  }
  // Broken after [DONE], in ending the body: the client has the whole answer, and an error event
  // after the end of the stream would only confuse it.
  if (out.sent_done()) {
    spdlog::debug("request {}: {} broke after [DONE]", ex.request_id, backend.id);
    const bool finished = co_await out.end_after_done();
    co_return end_of(finished);
  }

  const auto why = classify_error(broken, upstream.timed_out(), true);
  call.broken = true;
  record.steps.back().reason = upstream::label(why);
  call.result = why;
  if (!out.committed()) {
    record.served = nullptr;
    record.status = 0;
    co_return relay_end::failed;
  }
  record.end = request_end::upstream_broken;
  spdlog::warn("request {}: {} broke mid-response: {}", ex.request_id, backend.id, upstream::describe(why));
  // Without SSE framing there is no way to say so in-band: closing without the end of the body
  // makes the truncation an error for the client, never a silent success.
  if (!sse || parser.content_length()) co_return relay_end::close;
  const std::string message = until(deadline).count() <= 0
                                  ? "request to " + backend.id + " exceeded request_timeout"
                                  : "upstream " + backend.id + " " + std::string(upstream::describe(why));
  // The stream ends well framed, so the connection stays usable.
  const auto type = upstream::is_timeout(why) ? "timeout_error" : "api_error";
  const bool ended = co_await out.fail({message, type, "upstream_broken", ""});
  co_return end_of(ended);
}

}  // namespace llmd::proxy
