#include "routes.hpp"

#include "generate.hpp"
#include "metrics.hpp"
#include "openai.hpp"
#include "responses.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace llmd::mock {

namespace {

logged_request to_logged(const request& req, const std::optional<tls_info>& tls) {
  logged_request r{.received = std::chrono::steady_clock::now(),
                   .method = std::string(req.method_string()),
                   .target = std::string(req.target()),
                   .headers = {},
                   .body = req.body(),
                   .tls = tls};
  for (const auto& field : req.base()) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return r;
}

response models(const request& req, context& ctx) {
  return make_json(req, 200, models_json(ctx.opts.model), ctx.opts.name);
}

response health(const request& req, context& ctx) {
  int status = ctx.config.get().health_status;
  return make_response(req, status, "text/plain", status == 200 ? "ok" : "unhealthy", ctx.opts.name);
}

response metrics(const request& req, context& ctx) {
  // The prefills waiting for the modelled GPU are queued, not running, as an engine counts them;
  // the queue shown adds them to the one set by hand.
  const auto queued = ctx.prefill.waiting(prefill_model::clock::now());
  auto shown = ctx.config.get();
  shown.waiting += static_cast<int>(queued);
  auto snapshot = ctx.stats.snapshot();
  snapshot.in_flight -= std::min(queued, snapshot.in_flight);
  auto text = render_metrics(snapshot, shown, ctx.opts.model);
  return make_response(req, 200, metrics_content_type, std::move(text), ctx.opts.name);
}

response stats(const request& req, context& ctx) {
  auto body = to_json(ctx.stats.snapshot(), ctx.opts.name);
  const auto prefill = ctx.prefill.totals();
  body["prefill"] = {{"blocks", prefill.blocks}, {"cached_blocks", prefill.hits}};
  return make_json(req, 200, dump(body), ctx.opts.name);
}

response requests(const request& req, context& ctx) {
  return make_json(req, 200, dump(ctx.stats.requests_json()), ctx.opts.name);
}

response reset(const request& req, context& ctx) {
  ctx.stats.reset();
  ctx.prefill.reset();
  return make_json(req, 200, R"({"status":"ok"})", ctx.opts.name);
}

response config(const request& req, context& ctx) {
  if (req.method() == http::verb::post) {
    auto body = nlohmann::json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) return make_error(req, 400, "invalid JSON in the config body", ctx.opts.name);
    if (auto error = ctx.config.update(body)) return make_error(req, 400, *error, ctx.opts.name);
  }
  return make_json(req, 200, dump(ctx.config.to_json()), ctx.opts.name);
}

asio::awaitable<outcome> never_answer(connection& conn) {
  co_return co_await conn.sleep(forever) ? outcome::cancelled : outcome::completed;
}

struct route {
  std::string_view path;
  bool get;
  bool post;
  std::optional<api> generation;                 // the /v1 POSTs, answered by generate()
  response (*answer)(const request&, context&);  // the others
};

const route routes[] = {
    {"/v1/chat/completions", false, true, api::chat, nullptr},
    {"/v1/completions", false, true, api::completions, nullptr},
    {"/v1/embeddings", false, true, api::embeddings, nullptr},
    {"/v1/models", true, false, std::nullopt, models},
    {"/health", true, false, std::nullopt, health},
    {"/metrics", true, false, std::nullopt, metrics},
    {"/mock/stats", true, false, std::nullopt, stats},
    {"/mock/requests", true, false, std::nullopt, requests},
    {"/mock/reset", false, true, std::nullopt, reset},
    {"/mock/config", true, true, std::nullopt, config},
};

// The generation operations answer under any API root too (/openai/deployments/D/chat/completions,
// /v1beta/openai/chat/completions), as the cloud APIs llm-d fronts do.
const route* find_route(std::string_view path) {
  for (const auto& r : routes)
    if (r.path == path) return &r;
  for (const auto& r : routes)
    if (r.generation && path.ends_with(r.path.substr(std::string_view("/v1").size()))) return &r;
  return nullptr;
}

bool allows(const route& r, http::verb method) {
  return (r.get && method == http::verb::get) || (r.post && method == http::verb::post);
}

response method_not_allowed(const request& req, const route& r, std::string_view name) {
  auto res = make_error(req, 405, "method " + std::string(req.method_string()) + " not allowed", name);
  res.set(http::field::allow, r.get && r.post ? "GET, POST" : r.get ? "GET" : "POST");
  return res;
}

}  // namespace

asio::awaitable<bool> serve(connection& conn, request req, context& ctx, bool last) {
  std::string_view target = req.target();
  std::string_view path = target.substr(0, target.find('?'));
  spdlog::debug("{} {}", req.method_string(), target);
  const route* r = find_route(path);
  const bool v1 = path.starts_with("/v1/") || (r && r->generation);
  if (v1) ctx.stats.log(to_logged(req, conn.tls()));
  // After the log, which shows the request as the client sent it. Every response takes its
  // keep-alive from the request.
  if (last) req.keep_alive(false);
  std::optional<in_flight_request> scope;
  if (v1 && req.method() == http::verb::post) scope.emplace(ctx.stats);

  if (r && allows(*r, req.method()) && r->generation)
    co_return co_await generate(conn, req, ctx, *r->generation, *scope);
  // A scrape that never ends, until the scraper gives up.
  if (r && r->answer == metrics && ctx.config.get().metrics_hang) {
    co_await conn.unless_peer_leaves(never_answer(conn));
    co_return false;
  }

  const std::string& name = ctx.opts.name;
  auto res = !r                          ? make_error(req, 404, "no such endpoint: " + std::string(path), name)
             : !allows(*r, req.method()) ? method_not_allowed(req, *r, name)
                                         : r->answer(req, ctx);
  bool written = !co_await conn.write(res);
  if (scope) scope->end_as(written ? outcome::completed : outcome::cancelled);
  co_return written && res.keep_alive();
}

}  // namespace llmd::mock
