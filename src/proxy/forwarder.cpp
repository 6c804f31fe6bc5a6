#include "llmd/proxy/forwarder.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "llmd/proxy/failures.hpp"
#include "llmd/proxy/headers.hpp"
#include "llmd/proxy/sse.hpp"
#include "llmd/proxy/upstream_call.hpp"

namespace llmd::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using upstream::outcome;

namespace {

constexpr auto tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t upstream_header_limit = 64 * 1024;
// Bytes a client may send ahead (pipelining) while its previous request is in flight.
constexpr std::size_t pipeline_limit = 64 * 1024;

config::duration until(std::chrono::steady_clock::time_point deadline) {
  return std::chrono::duration_cast<config::duration>(deadline - std::chrono::steady_clock::now());
}

config::duration bounded(config::duration phase, std::chrono::steady_clock::time_point deadline) {
  return std::max(config::duration(0), std::min(phase, until(deadline)));
}

outcome classify_status(unsigned status) {
  if (status >= 500) return outcome::status_5xx;
  if (status == 429) return outcome::status_429;
  if (status == 408) return outcome::status_408;
  return outcome::ok;
}

outcome classify_error(const boost::system::error_code& ec, bool reading_body) {
  if (ec == beast::error::timeout) return reading_body ? outcome::timeout_idle : outcome::timeout_first_byte;
  if (ec.category() == make_error_code(bhttp::error::end_of_stream).category() && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return outcome::malformed;
  }
  return outcome::reset;
}

// Runs beside the request: reads the client socket so a disconnect is seen at once (not at the
// next write), keeping any pipelined bytes for the session.
net::awaitable<void> watch_client(http::exchange& ex, cancel_state* cancel) {
  auto& socket = ex.client.socket();
  for (;;) {
    if (ex.client_buffer.size() >= pipeline_limit) {
      net::steady_timer forever(socket.get_executor(), net::steady_timer::time_point::max());
      co_await forever.async_wait(tuple);
      co_return;
    }
    auto [ec, n] = co_await socket.async_read_some(ex.client_buffer.prepare(4096), tuple);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) {
      cancel->client_gone = true;
      if (cancel->upstream) cancel->upstream->socket().close(ec);
      co_return;
    }
    ex.client_buffer.commit(n);
  }
}

std::string upstream_target(const config::model_entry& entry, std::string_view client_target) {
  std::string target;
  target.reserve(entry.url.path_prefix.size() + client_target.size());
  target += entry.url.path_prefix;
  target += client_target;
  return target;
}

bool is_event_stream(const bhttp::fields& headers) {
  auto it = headers.find(bhttp::field::content_type);
  return it != headers.end() && beast::iequals(it->value().substr(0, 17), "text/event-stream");
}

}  // namespace

net::awaitable<bool> forwarder::forward(http::exchange& ex, const api::request_fields& fields, int group) {
  using namespace net::experimental::awaitable_operators;
  cancel_state cancel;
  auto done = co_await (run_chain(ex, fields, group, &cancel) || watch_client(ex, &cancel));
  if (done.index() == 1) co_return false;
  co_return std::get<0>(done);
}

net::awaitable<bool> forwarder::run_chain(http::exchange& ex, const api::request_fields& fields, int group,
                                          cancel_state* cancel) {
  // Cancellation arrives as a closed upstream socket (see watch_client), handled as a value.
  co_await net::this_coro::throw_if_cancelled(false);
  const auto start = clock::now();
  std::vector<failure> failures;
  int attempts = 0;
  for (int g : pool_.groups()[group].chain) {
    auto lease = pool_.try_acquire(g);
    if (!lease) {
      failures.push_back({pool_.groups()[g].name, true, outcome::ok, 0, ""});
      continue;
    }
    ++attempts;
    const auto& backend = *lease.backend;
    const auto deadline = start + backend.entry->timeout.request;
    upstream_call call;
    co_await attempt(call, ex, fields, backend, deadline, cancel);
    if (cancel->client_gone) co_return false;
    if (call.result == outcome::ok) {
      const bool keep = co_await relay(call, ex, backend, attempts, deadline, cancel);
      cancel->upstream = nullptr;
      co_return keep;
    }
    cancel->upstream = nullptr;
    std::string retry_after;
    if (call.parser) {
      if (auto it = call.parser->get().find(bhttp::field::retry_after); it != call.parser->get().end()) {
        retry_after = std::string(it->value());
      }
    }
    spdlog::warn("request {}: {} failed: {} {}", ex.request_id, backend.id, upstream::describe(call.result),
                 call.status ? std::to_string(call.status) : "");
    failures.push_back({backend.id, false, call.result, call.status, std::move(retry_after)});
  }
  const auto error = summarize(failures, fields.model.value_or(""));
  auto res = http::error_response(static_cast<bhttp::status>(error.status), error.body());
  if (!error.retry_after.empty()) res.set(bhttp::field::retry_after, error.retry_after);
  res.set("x-llmd-attempts", std::to_string(attempts));
  co_return co_await http::respond(ex, std::move(res));
}

net::awaitable<void> forwarder::attempt(upstream_call& call, http::exchange& ex, const api::request_fields& fields,
                                        const router::replica& backend, clock::time_point deadline,
                                        cancel_state* cancel) {
  const auto& entry = *backend.entry;
  std::string rewritten;
  std::string_view body = ex.req.body();
  if (entry.model && fields.model && *fields.model != *entry.model) {
    rewritten = api::rewrite_model(body, fields, *entry.model);
    body = rewritten;
  }

  bhttp::request<bhttp::buffer_body> req{ex.req.method(), upstream_target(entry, ex.req.target()), 11};
  copy_request_headers(ex.req.base(), entry, req.base());
  req.set("x-request-id", ex.request_id);
  req.keep_alive(true);
  req.content_length(body.size());
  req.body().data = const_cast<char*>(body.data());
  req.body().size = body.size();
  req.body().more = false;

  // A pooled connection the server closed meanwhile fails without an answer: that costs one
  // more try on a fresh connection, not an attempt.
  for (bool fresh = false;; fresh = true) {
    auto got = co_await connections_.acquire(entry.url, bounded(entry.timeout.connect, deadline), fresh);
    if (got.error) {
      call.result = until(deadline).count() <= 0 ? outcome::timeout_first_byte : outcome::connect_failed;
      co_return;
    }
    call.conn.emplace(std::move(got.conn));
    cancel->upstream = &call.conn->stream;
    auto& stream = call.conn->stream;
    stream.expires_after(bounded(entry.timeout.first_byte, deadline));

    bhttp::request_serializer<bhttp::buffer_body> serializer{req};
    auto [wec, wn] = co_await bhttp::async_write(stream, serializer, tuple);
    boost::system::error_code ec = wec;
    if (!ec) {
      call.buffer.clear();
      call.parser.emplace();
      call.parser->header_limit(upstream_header_limit);
      call.parser->body_limit(boost::none);
      auto [rec, rn] = co_await bhttp::async_read_header(stream, call.buffer, *call.parser, tuple);
      ec = rec;
    }
    if (cancel->client_gone) co_return;
    if (!ec) {
      call.status = call.parser->get().result_int();
      call.result = classify_status(call.status);
      co_return;
    }
    call.result = classify_error(ec, false);
    if (call.result != outcome::reset || !call.conn->reused || fresh) co_return;
    cancel->upstream = nullptr;
    call.conn.reset();
  }
}

net::awaitable<bool> forwarder::relay(upstream_call& call, http::exchange& ex, const router::replica& backend,
                                      int attempts, clock::time_point deadline, cancel_state* cancel) {
  auto& parser = *call.parser;
  auto& upstream_res = parser.get();
  auto& upstream = call.conn->stream;

  bhttp::response<bhttp::buffer_body> res{upstream_res.result(), ex.req.version()};
  copy_response_headers(upstream_res.base(), res.base());
  res.set("x-request-id", ex.request_id);
  res.set("x-llmd-backend", backend.id);
  res.set("x-llmd-attempts", std::to_string(attempts));
  bool keep = ex.req.keep_alive();
  if (auto length = parser.content_length()) {
    res.content_length(*length);
  } else if (parser.is_done()) {
    res.content_length(0);
  } else if (ex.req.version() >= 11) {
    res.chunked(true);
  } else {
    keep = false;  // HTTP/1.0 has no chunked encoding: the body ends when the connection does
  }
  res.keep_alive(keep);
  const bool sse = is_event_stream(upstream_res.base());
  sse_boundary events;
  res.body().data = nullptr;
  res.body().more = true;
  bhttp::response_serializer<bhttp::buffer_body> serializer{res};
  ex.client.expires_after(ex.write_timeout);
  auto [hec, hn] = co_await bhttp::async_write_header(ex.client, serializer, tuple);
  if (hec) co_return false;

  std::array<char, 16 * 1024> chunk;
  boost::system::error_code broken;
  while (!parser.is_done()) {
    upstream_res.body().data = chunk.data();
    upstream_res.body().size = chunk.size();
    upstream.expires_after(bounded(backend.entry->timeout.idle, deadline));
    auto [rec, rn] = co_await bhttp::async_read_some(upstream, call.buffer, parser, tuple);
    if (rec == bhttp::error::need_buffer) rec = {};
    const std::size_t got = chunk.size() - upstream_res.body().size;
    if (got > 0) {
      if (sse) events.feed({chunk.data(), got});
      res.body().data = chunk.data();
      res.body().size = got;
      ex.client.expires_after(ex.write_timeout);
      auto [wec, wn] = co_await bhttp::async_write(ex.client, serializer, tuple);
      if (wec && wec != bhttp::error::need_buffer) co_return false;
    }
    if (rec) {
      broken = rec;
      break;
    }
  }
  if (cancel->client_gone) co_return false;

  if (broken) {
    const auto why = classify_error(broken, true);
    spdlog::warn("request {}: {} broke mid-response: {}", ex.request_id, backend.id, upstream::describe(why));
    // Without SSE framing there is no way to say so in-band: closing without the end of the
    // body makes the truncation an error for the client, never a silent success.
    if (!sse || parser.content_length()) co_return false;
    std::string event = events.at_boundary() ? "" : "\n\n";
    const std::string message = until(deadline).count() <= 0
                                    ? "request to " + backend.id + " exceeded request_timeout"
                                    : "upstream " + backend.id + " " + std::string(upstream::describe(why));
    event += sse_error_event({message, upstream::is_timeout(why) ? "timeout_error" : "api_error", "upstream_broken", ""});
    res.body().data = event.data();
    res.body().size = event.size();
    auto [eec, en] = co_await bhttp::async_write(ex.client, serializer, tuple);
    if (eec && eec != bhttp::error::need_buffer) co_return false;
  } else if (parser.keep_alive() && call.buffer.size() == 0) {
    cancel->upstream = nullptr;
    connections_.release(backend.entry->url, std::move(*call.conn));
    call.conn.reset();
  }

  res.body().data = nullptr;
  res.body().size = 0;
  res.body().more = false;
  ex.client.expires_after(ex.write_timeout);
  auto [fec, fn] = co_await bhttp::async_write(ex.client, serializer, tuple);
  ex.client.expires_never();
  // An SSE stream ended by an error event is still well framed: the connection stays usable.
  co_return keep && !fec;
}

}  // namespace llmd::proxy
