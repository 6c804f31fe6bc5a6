// The daemon's HTTP surface: which path and method go where, and the errors for the rest. Every
// request gets a record, and its end goes to the metrics and the access log.
#pragma once

#include "llmd/api/models.hpp"
#include "llmd/http/handler.hpp"
#include "llmd/http/traffic.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/observe/access_log.hpp"
#include "llmd/observe/gateway_metrics.hpp"
#include "llmd/proxy/forwarder.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::app {

// Where the end of each request is told.
struct request_sinks {
  observe::gateway_metrics& metrics;
  observe::access_buffer* access_log;  // the worker's; null: --access-log off
};

// What a listener serves besides /health and /ready: everything on `listen`; with admin.listen
// set, the API on `listen` and the admin routes on admin.listen, each answering 404 for the other's.
enum class surface { everything, api, admin };

class routes : public http::handler {
 public:
  routes(router::backend_pool& pool, const api::model_catalog& catalog, proxy::forwarder& forwarder,
         const http::traffic& traffic, request_sinks sinks, surface serves)
      : pool_(pool), catalog_(catalog), forwarder_(forwarder), traffic_(traffic), sinks_(sinks), serves_(serves) {}

  awaitable<bool> handle(http::exchange& ex) override;
  void refused(const http::exchange& ex, unsigned status, std::string_view reason) override;

 private:
  // Picks the coroutine that answers; `counted` says whether the request is one of the API's
  // (the metrics leave out probes, scrapes and the admin pages).
  awaitable<bool> dispatch(http::exchange& ex, proxy::request_record& record, bool& counted);
  awaitable<bool> proxy(http::exchange& ex, proxy::request_record& record);
  void finish(proxy::request_record& record, bool counted);

  router::backend_pool& pool_;
  const api::model_catalog& catalog_;
  proxy::forwarder& forwarder_;
  const http::traffic& traffic_;
  request_sinks sinks_;
  surface serves_;
};

}  // namespace llmd::app
