#include "generate.hpp"

#include "responses.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

namespace llmd::mock {

namespace {

// Everything a stream needs, passed by value into its coroutine.
struct stream_plan {
  api kind;
  completion_meta meta;
  std::string prefix;  // the first content delta: "[NAME] "
  int tokens;
  duration token_interval;
  std::optional<int> break_after;
  bool break_after_done;
  bool include_usage;
  token_usage usage;
  unsigned version;
  bool keep_alive;
  std::string name;
};

asio::awaitable<outcome> wait_for(connection& conn, duration d) {
  co_return co_await conn.sleep(d) ? outcome::cancelled : outcome::completed;
}

asio::awaitable<outcome> stream(connection& conn, stream_plan plan, stats_recorder& stats) {
  response_head head(http::status::ok, plan.version);
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-cache");
  head.set(name_header, plan.name);
  head.keep_alive(plan.keep_alive);
  head.chunked(plan.version >= 11);
  if (co_await conn.write_head(head)) co_return outcome::cancelled;

  stream_events events(plan.kind, plan.meta, plan.include_usage);
  // No co_await on the right of && or inside ?:, which GCC 12 can miscompile.
  if (plan.kind == api::chat) {
    if (co_await conn.write_chunk(events.role())) co_return outcome::cancelled;
  }
  if (co_await conn.write_chunk(events.content(plan.prefix))) co_return outcome::cancelled;
  std::string token;
  for (int sent = 0; sent < plan.tokens; ++sent) {
    if (plan.break_after == sent) co_return outcome::aborted;
    // With no interval this still yields to the other connections.
    if (sent > 0) {
      if (co_await conn.sleep(plan.token_interval)) co_return outcome::cancelled;
    }
    token.assign("t").append(std::to_string(sent + 1)).append(" ");
    if (co_await conn.write_chunk(events.content(token))) co_return outcome::cancelled;
    stats.add_generation_tokens(1);
  }
  if (plan.break_after) co_return outcome::aborted;  // break_after >= tokens: cut before the finish event
  if (co_await conn.write_chunk(events.finish())) co_return outcome::cancelled;
  if (plan.include_usage) {
    if (co_await conn.write_chunk(events.usage(plan.usage))) co_return outcome::cancelled;
  }
  if (co_await conn.write_chunk(stream_events::done)) co_return outcome::cancelled;
  if (plan.break_after_done) co_return outcome::aborted;
  if (co_await conn.write_last_chunk()) co_return outcome::cancelled;
  co_return outcome::completed;
}

// Sends the headers with the full Content-Length, then half the body, then an RST.
asio::awaitable<void> write_truncated(connection& conn, const response& res) {
  response_head head(res.result(), res.version());
  for (const auto& field : res.base()) head.set(field.name_string(), field.value());
  if (co_await conn.write_head(head)) co_return;
  co_await conn.write_raw(std::string_view(res.body()).substr(0, res.body().size() / 2));
}

// Returns whether the whole response was written.
asio::awaitable<bool> reply(connection& conn, const response& res, in_flight_request& scope) {
  bool written = !co_await conn.write(res);
  scope.end_as(written ? outcome::completed : outcome::cancelled);
  co_return written;
}

bool wants_stream(const nlohmann::json& body) {
  auto it = body.find("stream");
  return it != body.end() && it->is_boolean() && it->get<bool>();
}

bool wants_usage(const nlohmann::json& body) {
  auto it = body.find("stream_options");
  return it != body.end() && it->is_object() && it->value("include_usage", false) == true;
}

}  // namespace

asio::awaitable<bool> generate(connection& conn, const request& req, context& ctx, api kind,
                               in_flight_request& scope) {
  const std::string& name = ctx.opts.name;
  behavior b = ctx.config.take();
  bool keep_alive = req.keep_alive();
  if (auto error = apply_headers(b, req.base()))
    co_return co_await reply(conn, make_error(req, 400, *error, name), scope) && keep_alive;

  if (b.delay.count() > 0 || b.hang) {
    auto waited = co_await conn.unless_peer_leaves(wait_for(conn, b.hang ? forever : b.delay));
    if (waited != outcome::completed) {
      scope.end_as(waited);
      co_return false;
    }
  }
  if (b.reset) {
    conn.abort();
    scope.end_as(outcome::aborted);
    co_return false;
  }
  if (b.injects_error()) {
    auto res = make_error(req, b.status, "llm-d-mock: injected error with status " + std::to_string(b.status), name);
    if (b.retry_after > 0) res.set(http::field::retry_after, std::to_string(b.retry_after));
    co_return co_await reply(conn, res, scope) && keep_alive;
  }

  auto body = nlohmann::json::parse(req.body(), nullptr, false);
  if (body.is_discarded())
    co_return co_await reply(conn, make_error(req, 400, "invalid JSON in the request body", name), scope) && keep_alive;
  if (auto error = validate_request(kind, body))
    co_return co_await reply(conn, make_error(req, 400, *error, name), scope) && keep_alive;

  auto prompt_tokens = count_prompt_tokens(kind, body);
  const auto wanted = prompt_tokens + static_cast<std::uint64_t>(b.tokens);
  if (b.max_context > 0 && kind != api::embeddings && wanted > static_cast<std::uint64_t>(b.max_context)) {
    const auto asked = std::to_string(wanted);
    const auto message = "This model's maximum context length is " + std::to_string(b.max_context) +
                         " tokens. However, you requested " + asked + " tokens (" + std::to_string(prompt_tokens) +
                         " in the messages, " + std::to_string(b.tokens) +
                         " in the completion). Please reduce the length of the messages or completion.";
    co_return co_await reply(conn, make_error(req, 400, message, name), scope) && keep_alive;
  }
  if (kind == api::embeddings) {
    auto res = make_json(req, 200, embeddings_json(body, ctx.opts.model, prompt_tokens), name);
    if (!co_await reply(conn, res, scope)) co_return false;
    ctx.stats.add_success(prompt_tokens);
    co_return keep_alive;
  }

  if (ctx.prefill.enabled()) {
    const auto now = prefill_model::clock::now();
    const auto done = ctx.prefill.reserve(prompt_text(kind, body), now);
    auto waited = co_await conn.unless_peer_leaves(
        wait_for(conn, std::chrono::duration_cast<duration>(done - now)));
    if (waited != outcome::completed) {
      scope.end_as(waited);
      co_return false;
    }
  }

  auto meta = make_meta(kind, ctx.stats.next_id(), body, ctx.opts.model);
  token_usage usage{prompt_tokens, static_cast<std::uint64_t>(b.tokens)};
  if (wants_stream(body)) {
    stream_plan plan{.kind = kind,
                     .meta = std::move(meta),
                     .prefix = "[" + name + "] ",
                     .tokens = b.tokens,
                     .token_interval = b.token_interval,
                     .break_after = b.break_after,
                     .break_after_done = b.break_after_done,
                     .include_usage = wants_usage(body),
                     .usage = usage,
                     .version = req.version(),
                     .keep_alive = keep_alive,
                     .name = name};
    auto result = co_await conn.unless_peer_leaves(stream(conn, std::move(plan), ctx.stats));
    if (result == outcome::aborted) conn.abort();
    if (result == outcome::completed) ctx.stats.add_success(prompt_tokens);
    scope.end_as(result);
    co_return result == outcome::completed && keep_alive && req.version() >= 11;
  }

  auto res = make_json(req, 200, completion_json(kind, meta, completion_text(name, b.tokens), usage), name);
  if (b.break_after) {
    co_await write_truncated(conn, res);
    conn.abort();
    scope.end_as(outcome::aborted);
    co_return false;
  }
  if (!co_await reply(conn, res, scope)) co_return false;
  ctx.stats.add_success(prompt_tokens);
  ctx.stats.add_generation_tokens(usage.completion);
  co_return keep_alive;
}

}  // namespace llmd::mock
