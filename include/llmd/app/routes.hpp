// The daemon's HTTP surface: which path and method go where, and the errors for the rest. Every
// request gets a record, and its end goes to the metrics and the access log. Each request is
// served by the snapshot (runtime) its worker held when it arrived, to its end.
#pragma once

#include <memory>

#include "llmd/app/runtime.hpp"
#include "llmd/http/handler.hpp"
#include "llmd/http/traffic.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/observe/access_log.hpp"
#include "llmd/observe/gateway_metrics.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/upstream/connection_pool.hpp"

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
  // Called on one worker's thread only, as `connections` belongs to it.
  routes(const runtime_slot& slot, upstream::connection_pool& connections, const http::traffic& traffic,
         request_sinks sinks, surface serves)
      : current_(slot), connections_(connections), traffic_(traffic), sinks_(sinks), serves_(serves) {}

  std::optional<http::refusal> screen(http::exchange& ex) override;
  awaitable<bool> handle(http::exchange& ex) override;
  void refused(const http::exchange& ex, unsigned status, std::string_view reason) override;
  void connection_refused() override { sinks_.metrics.refused_connection(); }
  config::limits limits() override { return current_.current()->cfg->limit; }
  std::shared_ptr<boost::asio::ssl::context> front_tls() override { return current_.current()->front_tls; }

 private:
  // Picks the coroutine that answers; `counted` says whether the request is one of the API's
  // (the metrics leave out probes, scrapes and the admin pages).
  awaitable<bool> dispatch(http::exchange& ex, runtime& rt, proxy::request_record& record, bool& counted);
  awaitable<bool> proxy(http::exchange& ex, runtime& rt, proxy::request_record& record);
  void finish(const runtime& rt, proxy::request_record& record, bool counted);

  runtime_view current_;
  upstream::connection_pool& connections_;
  const http::traffic& traffic_;
  request_sinks sinks_;
  surface serves_;
};

}  // namespace llmd::app
