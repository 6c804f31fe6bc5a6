#include "llmd/app/routes.hpp"

#include <boost/beast/http/verb.hpp>
#include <variant>

#include "llmd/admin/access.hpp"
#include "llmd/admin/backends.hpp"
#include "llmd/admin/status_page.hpp"
#include "llmd/api/prompt_blocks.hpp"
#include "llmd/http/cors.hpp"
#include "llmd/metrics/exposition.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/proxy/admission.hpp"
#include "llmd/proxy/forwarder.hpp"
#include "llmd/proxy/recorded_response.hpp"

namespace llmd::app {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using bhttp::status;
using bhttp::verb;
using proxy::request_record;

namespace {

http::response typed_response(status code, std::string_view type, std::string body) {
  http::response res{code, 11};
  res.set(bhttp::field::content_type, type);
  res.body() = std::move(body);
  return res;
}

http::response json_response(status code, std::string body) {
  return typed_response(code, "application/json", std::move(body));
}

// These build the response before returning the coroutine that sends it: an openai_error only
// views its text, which may be a temporary of the caller's.
awaitable<bool> fail(http::exchange& ex, request_record& record, status code, const http::openai_error& e) {
  record.end = proxy::request_end::refused;
  return proxy::respond(ex, record, http::error_response(code, e));
}

awaitable<bool> turn_away(http::exchange& ex, request_record& record, const proxy::refusal& refusal) {
  record.end = proxy::request_end::refused;
  record.rejected = refusal.reason;
  return proxy::respond(ex, record, refusal.response());
}

awaitable<bool> wrong_method(http::exchange& ex, request_record& record, std::string_view allowed) {
  auto res = http::error_response(
      status::method_not_allowed,
      {"method " + std::string(ex.req.method_string()) + " is not allowed here; use " + std::string(allowed),
       "invalid_request_error", "method_not_allowed", ""});
  res.set(bhttp::field::allow, allowed);
  record.end = proxy::request_end::refused;
  return proxy::respond(ex, record, std::move(res));
}

awaitable<bool> unknown_url(http::exchange& ex, request_record& record) {
  return fail(ex, record, status::not_found,
              {"Invalid URL (" + std::string(ex.req.method_string()) + " " + std::string(record.path) + ")",
               "invalid_request_error", "unknown_url", ""});
}

// 401 with a Basic challenge, so that a browser asks for the key (as the password).
awaitable<bool> unauthorized(http::exchange& ex, request_record& record, admin::access verdict) {
  auto res = http::error_response(
      status::unauthorized,
      {verdict == admin::access::no_credentials
           ? "This route needs the admin key, as a bearer token (Authorization: Bearer KEY) or as the password of "
             "HTTP Basic auth"
           : "Incorrect admin key provided",
       "invalid_request_error", "invalid_admin_key", ""});
  res.set(bhttp::field::www_authenticate, R"(Basic realm="llm-d admin", charset="UTF-8")");
  record.end = proxy::request_end::refused;
  return proxy::respond(ex, record, std::move(res));
}

http::response status_page_response() {
  http::response res{status::ok, 11};
  res.set(bhttp::field::content_type, "text/html; charset=utf-8");
  res.set(bhttp::field::cache_control, "no-store");
  res.set("Content-Security-Policy", admin::status_page_csp);
  res.body() = admin::status_page_html();
  return res;
}

bool is_read(verb v) { return v == verb::get || v == verb::head; }

const config::cors_settings* cors_of(const runtime& rt) { return rt.cfg->cors ? &*rt.cfg->cors : nullptr; }

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// Probes and the admin routes (which have a key of their own) are open to clients without one.
bool needs_client_key(std::string_view path) {
  return path != "/health" && path != "/ready" && !admin::is_admin_path(path);
}

// The key the head named (screen), found again in this snapshot; a reload since the head was read
// may have changed the keys, so a key it lost is looked for as the head gives it.
std::variant<const proxy::client*, proxy::refusal> client_of(const http::exchange& ex, const proxy::client_keys& keys) {
  if (ex.client_key) {
    if (const auto* key = keys.find(*ex.client_key)) return key;
  }
  return proxy::authenticate(keys, ex.req.fields(), ex.digests);
}

// The hash of the request's session header (routing.session_header); 0 when it has none.
std::uint64_t session_of(const http::exchange& ex, const config::routing_settings& routing) {
  if (routing.session_header.empty()) return 0;
  const auto value = ex.req.fields().find(routing.session_header);
  if (!value || value->empty()) return 0;
  const std::uint64_t h = std::hash<std::string_view>{}(*value);
  return h ? h : 1;
}

// The record's facts that the session knows.
void begin(request_record& record, const http::exchange& ex) {
  record.received = ex.received;
  record.client = ex.peer;
  record.request_id = ex.request_id;
  record.method = ex.req.method_string();
  record.path = path_of(ex.req.target());
  record.bytes_in = ex.req.body().size();
}

}  // namespace

awaitable<bool> routes::handle(http::exchange& ex) {
  const auto rt = current_.current();
  request_record record;
  begin(record, ex);
  bool counted = false;
  const bool keep = co_await dispatch(ex, *rt, record, counted);
  finish(*rt, record, counted);
  co_return keep;
}

std::optional<http::refusal> routes::screen(http::exchange& ex) {
  const auto& rt = *current_.current();
  ex.cors_origin = http::allowed_origin(ex.req, cors_of(rt));
  // A browser's preflight carries no key: it asks whether the request that follows may.
  if (!rt.keys.enabled() || serves_ == surface::admin || http::is_preflight(ex.req) ||
      !needs_client_key(path_of(ex.req.target()))) {
    return std::nullopt;
  }
  auto verdict = proxy::authenticate(rt.keys, ex.req.fields(), ex.digests);
  if (const auto* refusal = std::get_if<proxy::refusal>(&verdict)) {
    return http::refusal{refusal->response(), refusal->reason};
  }
  ex.client_key = std::get<const proxy::client*>(verdict)->settings.digest;
  return std::nullopt;
}

void routes::refused(const http::exchange& ex, unsigned code, std::string_view reason) {
  request_record record;
  begin(record, ex);
  record.status = code;
  record.end = proxy::request_end::refused;
  record.rejected = reason;
  finish(*current_.current(), record, true);
}

void routes::finish(const runtime& rt, request_record& record, bool counted) {
  record.finished = proxy::record_clock::now();
  // The client left before any answer: nginx's 499.
  if (record.status == 0) {
    record.status = 499;
    record.end = proxy::request_end::client_gone;
  }
  proxy::charge_tokens(record, record.finished);
  if (counted) sinks_.metrics.record(*rt.series, record);
  if (sinks_.access_log) sinks_.access_log->add(rt.pool, record);
}

// Not a coroutine itself: it picks the coroutine that answers, so a request costs no frame
// holding every branch's temporaries.
awaitable<bool> routes::dispatch(http::exchange& ex, runtime& rt, request_record& record, bool& counted) {
  const std::string_view path = record.path;
  const verb method = ex.req.method();
  if (http::is_preflight(ex.req)) return proxy::respond(ex, record, http::preflight_response(ex.req, cors_of(rt)));

  if (path == "/health") {
    if (!is_read(method)) return wrong_method(ex, record, "GET");
    return proxy::respond(ex, record, json_response(status::ok, R"({"status":"ok"})"));
  }
  if (path == "/ready") {
    if (!is_read(method)) return wrong_method(ex, record, "GET");
    if (traffic_.draining.load(std::memory_order_relaxed)) {
      return proxy::respond(ex, record, json_response(status::service_unavailable, R"({"status":"draining"})"));
    }
    const bool ready = rt.pool.any_usable(std::chrono::steady_clock::now());
    return proxy::respond(ex, record,
                          json_response(ready ? status::ok : status::service_unavailable,
                                        ready ? R"({"status":"ready"})" : R"({"status":"no usable backend"})"));
  }
  // With admin.listen, each listener answers the other's routes as it answers an unknown path.
  const bool admin_path = admin::is_admin_path(path);
  if ((admin_path && serves_ == surface::api) || (!admin_path && serves_ == surface::admin)) {
    counted = true;
    return unknown_url(ex, record);
  }
  if (admin_path) {
    // The key of the config in effect now, not one kept from the start: a reload may change it.
    const auto verdict =
        admin::check_access(ex.req.fields().find(bhttp::field::authorization), rt.cfg->admin.key);
    if (verdict != admin::access::granted) return unauthorized(ex, record, verdict);
  }
  if (path == "/metrics") {
    if (!is_read(method)) return wrong_method(ex, record, "GET");
    return proxy::respond(ex, record,
                          typed_response(status::ok, metrics::text_content_type, sinks_.metrics.render()));
  }
  if (path == "/admin/backends") {
    if (!is_read(method)) return wrong_method(ex, record, "GET");
    return proxy::respond(
        ex, record, json_response(status::ok, admin::backends_json(rt.pool, std::chrono::steady_clock::now())));
  }
  if (path == "/" || path == "/status") {
    if (!is_read(method)) return wrong_method(ex, record, "GET");
    return proxy::respond(ex, record, status_page_response());
  }
  counted = true;
  if (rt.keys.enabled()) {
    auto verdict = client_of(ex, rt.keys);
    if (const auto* refusal = std::get_if<proxy::refusal>(&verdict)) return turn_away(ex, record, *refusal);
    record.key = std::get<const proxy::client*>(verdict);
  }
  const auto& catalog = record.key ? record.key->catalog : rt.catalog;
  if (path == "/v1/models") {
    if (!is_read(method)) return wrong_method(ex, record, "GET");
    return proxy::respond(ex, record, json_response(status::ok, catalog.list_json()));
  }
  if (path.starts_with("/v1/models/")) {
    if (!is_read(method)) return wrong_method(ex, record, "GET");
    const auto id = path.substr(11);
    if (auto model = catalog.model_json(id)) return proxy::respond(ex, record, json_response(status::ok, *model));
    return fail(
        ex, record, status::not_found,
        {"The model '" + std::string(id) + "' does not exist", "invalid_request_error", "model_not_found", "model"});
  }
  if (path.starts_with("/v1/")) {
    if (method != verb::post) return wrong_method(ex, record, "POST");
    return proxy(ex, rt, record);
  }
  return unknown_url(ex, record);
}

awaitable<bool> routes::proxy(http::exchange& ex, runtime& rt, request_record& record) {
  // The prompt is read in blocks only when a scorer looks at them.
  std::optional<api::prompt_blocks> prompt;
  const auto& routing = rt.cfg->routing;
  if (routing.uses(config::scorer_kind::prefix)) prompt.emplace(routing.prefix.block_size);
  auto scanned = api::scan_request(ex.req.body(), prompt ? &*prompt : nullptr);
  if (auto* error = std::get_if<api::scan_error>(&scanned)) {
    record.rejected = "bad_request";
    co_return co_await fail(ex, record, status::bad_request,
                            {"We could not parse the JSON body of your request: " + error->message,
                             "invalid_request_error", "invalid_json", ""});
  }
  auto& fields = std::get<api::request_fields>(scanned);
  if (!fields.model) {
    record.rejected = "bad_request";
    co_return co_await fail(ex, record, status::bad_request,
                            {"you must provide a model parameter", "invalid_request_error", "missing_model", "model"});
  }
  record.set_model(*fields.model);
  const auto group = rt.pool.resolve(*fields.model);
  if (!group) {
    record.rejected = "unknown_model";
    co_return co_await fail(ex, record, status::not_found,
                            {"The model '" + *fields.model + "' does not exist", "invalid_request_error",
                             "model_not_found", "model"});
  }
  record.group = *group;
  if (record.key) {
    if (auto refusal = proxy::admit(*record.key, ex.req, fields, *group, std::chrono::steady_clock::now())) {
      co_return co_await turn_away(ex, record, *refusal);
    }
  }
  if (prompt) record.prompt_blocks = prompt->hashes().size();
  router::affinity hints{.prompt = {}, .session = session_of(ex, routing)};
  if (prompt) hints.prompt = prompt->hashes();
  proxy::forwarder forwarder(rt.pool, rt.targets, connections_, hints);
  co_return co_await forwarder.forward(ex, fields, *group, record);
}

}  // namespace llmd::app
