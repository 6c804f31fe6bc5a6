#include "llmd/app/routes.hpp"

#include <boost/beast/http/verb.hpp>

#include "llmd/admin/backends.hpp"
#include "llmd/admin/status_page.hpp"
#include "llmd/net/executor.hpp"
#include <variant>

namespace llmd::app {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using bhttp::status;
using bhttp::verb;

namespace {

http::response json_response(status code, std::string body) {
  http::response res{code, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

// These build the response before returning the coroutine that sends it: an openai_error only
// views its text, which may be a temporary of the caller's.
awaitable<bool> fail(http::exchange& ex, status code, const http::openai_error& e) {
  return http::respond(ex, http::error_response(code, e));
}

awaitable<bool> wrong_method(http::exchange& ex, std::string_view allowed) {
  auto res = http::error_response(
      status::method_not_allowed,
      {"method " + std::string(ex.req.method_string()) + " is not allowed here; use " + std::string(allowed),
       "invalid_request_error", "method_not_allowed", ""});
  res.set(bhttp::field::allow, allowed);
  return http::respond(ex, std::move(res));
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

}  // namespace

// Not a coroutine itself: it picks the coroutine that answers, so a request costs no frame
// holding every branch's temporaries.
awaitable<bool> routes::handle(http::exchange& ex) {
  std::string_view target = ex.req.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const verb method = ex.req.method();

  if (path == "/health") {
    if (!is_read(method)) return wrong_method(ex, "GET");
    return http::respond(ex, json_response(status::ok, R"({"status":"ok"})"));
  }
  if (path == "/ready") {
    if (!is_read(method)) return wrong_method(ex, "GET");
    if (traffic_.draining.load(std::memory_order_relaxed)) {
      return http::respond(ex, json_response(status::service_unavailable, R"({"status":"draining"})"));
    }
    const bool ready = pool_.any_usable(std::chrono::steady_clock::now());
    return http::respond(ex, json_response(ready ? status::ok : status::service_unavailable,
                                           ready ? R"({"status":"ready"})" : R"({"status":"no usable backend"})"));
  }
  if (path == "/admin/backends") {
    if (!is_read(method)) return wrong_method(ex, "GET");
    return http::respond(ex, json_response(status::ok, admin::backends_json(pool_, std::chrono::steady_clock::now())));
  }
  if (path == "/" || path == "/status") {
    if (!is_read(method)) return wrong_method(ex, "GET");
    return http::respond(ex, status_page_response());
  }
  if (path == "/v1/models") {
    if (!is_read(method)) return wrong_method(ex, "GET");
    return http::respond(ex, json_response(status::ok, catalog_.list_json()));
  }
  if (path.starts_with("/v1/models/")) {
    if (!is_read(method)) return wrong_method(ex, "GET");
    const auto id = path.substr(11);
    if (auto model = catalog_.model_json(id)) return http::respond(ex, json_response(status::ok, *model));
    return fail(
        ex, status::not_found,
        {"The model '" + std::string(id) + "' does not exist", "invalid_request_error", "model_not_found", "model"});
  }
  if (path.starts_with("/v1/")) {
    if (method != verb::post) return wrong_method(ex, "POST");
    return proxy(ex);
  }
  return fail(ex, status::not_found,
              {"Invalid URL (" + std::string(ex.req.method_string()) + " " + std::string(path) + ")",
               "invalid_request_error", "unknown_url", ""});
}

awaitable<bool> routes::proxy(http::exchange& ex) {
  auto scanned = api::scan_request(ex.req.body());
  if (auto* error = std::get_if<api::scan_error>(&scanned)) {
    co_return co_await fail(ex, status::bad_request,
                            {"We could not parse the JSON body of your request: " + error->message,
                             "invalid_request_error", "invalid_json", ""});
  }
  const auto& fields = std::get<api::request_fields>(scanned);
  if (!fields.model) {
    co_return co_await fail(ex, status::bad_request,
                            {"you must provide a model parameter", "invalid_request_error", "missing_model", "model"});
  }
  const auto group = pool_.resolve(*fields.model);
  if (!group) {
    co_return co_await fail(ex, status::not_found,
                            {"The model '" + *fields.model + "' does not exist", "invalid_request_error",
                             "model_not_found", "model"});
  }
  co_return co_await forwarder_.forward(ex, fields, *group);
}

}  // namespace llmd::app
