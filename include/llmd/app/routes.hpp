// The daemon's HTTP surface: which path and method go where, and the errors for the rest.
#pragma once

#include "llmd/api/models.hpp"
#include "llmd/http/handler.hpp"
#include "llmd/http/traffic.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/proxy/forwarder.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::app {

class routes : public http::handler {
 public:
  routes(router::backend_pool& pool, const api::model_catalog& catalog, proxy::forwarder& forwarder,
         const http::traffic& traffic)
      : pool_(pool), catalog_(catalog), forwarder_(forwarder), traffic_(traffic) {}

  awaitable<bool> handle(http::exchange& ex) override;

 private:
  awaitable<bool> proxy(http::exchange& ex);

  router::backend_pool& pool_;
  const api::model_catalog& catalog_;
  proxy::forwarder& forwarder_;
  const http::traffic& traffic_;
};

}  // namespace llmd::app
