#include "llmd/app/daemon.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <functional>
#include <optional>
#include <spdlog/spdlog.h>
#include <thread>
#include <vector>

#include "llmd/app/config_watch.hpp"
#include "llmd/app/reload.hpp"
#include "llmd/app/routes.hpp"
#include "llmd/app/runtime.hpp"
#include "llmd/app/service_notify.hpp"
#include "llmd/health/watchers.hpp"
#include "llmd/http/listener.hpp"
#include "llmd/metrics/shard.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/observe/access_log.hpp"
#include "llmd/observe/gateway_metrics.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/pool_directory.hpp"

namespace llmd::app {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Everything one thread needs to serve requests without touching another thread's state.
struct worker {
  worker(std::size_t index, const runtime_slot& slot, const http::traffic& traffic,
         observe::gateway_metrics& metrics, observe::access_log* log, surface serves)
      : connections(io, index),
        access(log ? std::make_unique<observe::access_buffer>(io, *log) : nullptr),
        handler(slot, connections, traffic, request_sinks{metrics, access.get()}, serves),
        acceptor(io) {}

  // One thread runs each context and only it touches the context's sockets and timers, so the
  // reactor needs no locks; posts from the main thread (reload, drain, stop) still lock the
  // scheduler.
  net::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  upstream::connection_pool connections;
  std::unique_ptr<observe::access_buffer> access;
  routes handler;
  tcp_acceptor acceptor;
  std::thread thread;
};

using worker_list = std::vector<std::unique_ptr<worker>>;

// admin.listen: one socket, on the first worker, whose connections and log it shares. Admin
// traffic is a scrape or a page refresh every few seconds, too little to spread over the workers.
struct admin_listener {
  admin_listener(worker& w, const runtime_slot& slot, const http::traffic& traffic, observe::gateway_metrics& metrics)
      : handler(slot, w.connections, traffic, request_sinks{metrics, w.access.get()}, surface::admin),
        acceptor(w.io) {}

  routes handler;
  tcp_acceptor acceptor;
};

int worker_count(const config::config& cfg) {
  if (cfg.workers > 0) return cfg.workers;
  return std::max(1u, std::thread::hardware_concurrency());
}

constexpr auto drain_poll = std::chrono::milliseconds(20);

// SIGUSR1, as logrotate sends after moving the file: the access log opens its path again.
void reopen_on_signal(net::signal_set& signals, observe::access_log* log) {
  signals.async_wait([&signals, log](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (log) {
      log->reopen();
      spdlog::info("SIGUSR1: access log reopened");
    }
    reopen_on_signal(signals, log);
  });
}

// SIGHUP: the config is read again.
void reload_on_signal(net::signal_set& signals, const std::function<void()>& reload_now) {
  signals.async_wait([&signals, &reload_now](const boost::system::error_code& ec, int) {
    if (ec) return;
    spdlog::info("SIGHUP: reloading the config");
    reload_now();
    reload_on_signal(signals, reload_now);
  });
}

// Calls stop once no request is in flight or the deadline passes, whichever comes first.
void stop_when_drained(steady_timer& timer, const http::traffic& traffic,
                       std::chrono::steady_clock::time_point deadline, const std::function<void()>& stop) {
  const int left = traffic.requests.load(std::memory_order_relaxed);
  if (left == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (left > 0) spdlog::warn("shutdown_timeout passed with {} request(s) in flight: cutting them", left);
    stop();
    return;
  }
  timer.expires_after(drain_poll);
  timer.async_wait([&timer, &traffic, deadline, &stop](const boost::system::error_code& ec) {
    if (!ec) stop_when_drained(timer, traffic, deadline, stop);
  });
}

// llmd_upstream_connections{backend,state}: the connections of each replica's pool, summed over
// the workers. Replicas with the same upstream (host, port, TLS and proxy) share a pool, and
// each shows it.
void collect_connections(observe::gateway_metrics& metrics, const runtime_slot& current, std::size_t workers) {
  metrics.registry().collected(
      "llmd_upstream_connections", "Upstream connections open, idle in the keep-alive pool or in use",
      metrics::kind::gauge, {"backend", "state"}, [&current, workers](metrics::sample_writer& out) {
        const auto rt = current.load();
        for (int i = 0; i < rt->pool.replica_count(); ++i) {
          const auto& r = rt->pool.replica_at(i);
          const auto* counts = rt->targets.of(*r.entry).pool.counts;
          int open = 0;
          int idle = 0;
          for (std::size_t w = 0; w < workers; ++w) {
            open += counts[w].open.load(std::memory_order_relaxed);
            idle += counts[w].idle.load(std::memory_order_relaxed);
          }
          out.write({r.id, "idle"}, idle);
          out.write({r.id, "active"}, std::max(0, open - idle));
        }
      });
}

std::string printable(const tcp::endpoint& ep) {
  const auto address = ep.address().to_string();
  const auto host = ep.address().is_v6() ? '[' + address + ']' : address;
  return host + ':' + std::to_string(ep.port());
}

}  // namespace

int run_daemon(std::shared_ptr<const config::config> cfg, const std::string& path, const options& opts) {
  std::string error;
  std::unique_ptr<observe::access_log> access_log;
  if (opts.access_log != "off") {
    const auto format = *observe::parse_log_format(opts.log_format);
    access_log = observe::access_log::open(opts.access_log, format, error);
    if (!access_log) {
      spdlog::critical("{}", error);
      return 1;
    }
  }
  const int threads = worker_count(*cfg);
  upstream::pool_directory directory(threads);
  runtime_slot current;
  observe::gateway_metrics metrics(threads, [&current] { return pool_of(current.load()); });
  const runtime_base base{directory, metrics};
  auto first = build_runtime(cfg, nullptr, base, error);
  if (!first) {
    spdlog::critical("{}", error);
    return 1;
  }
  current.publish(first);
  http::traffic traffic;
  worker_list workers;
  std::string port = cfg->listen_port;
  const auto api_serves = cfg->admin.listen_host ? surface::api : surface::everything;
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<worker>(i, current, traffic, metrics, access_log.get(), api_serves);
    boost::system::error_code ec;
    w->acceptor = http::open_acceptor(w->io, cfg->listen_host, port, ec);
    if (ec) {
      spdlog::critical("cannot listen on {}:{}: {}", cfg->listen_host, port, ec.message());
      return 1;
    }
    // With port 0 the first bind picks the port; the other workers share it.
    port = std::to_string(w->acceptor.local_endpoint().port());
    workers.push_back(std::move(w));
  }
  std::optional<admin_listener> admin_listen;
  if (cfg->admin.listen_host) {
    auto& w = *workers.front();
    admin_listen.emplace(w, current, traffic, metrics);
    boost::system::error_code ec;
    admin_listen->acceptor = http::open_acceptor(w.io, *cfg->admin.listen_host, *cfg->admin.listen_port, ec);
    if (ec) {
      spdlog::critical("cannot listen on {}:{} (admin.listen): {}", *cfg->admin.listen_host, *cfg->admin.listen_port,
                       ec.message());
      return 1;
    }
    // It speaks what `listen` speaks (HTTPS with listen_tls): the admin key crosses it.
    net::co_spawn(w.io, http::accept_loop(admin_listen->acceptor, admin_listen->handler, traffic), net::detached);
  }

  // Probes and scrapes run on the first worker, through its connections.
  auto& watcher = *workers.front();
  health::watchers watching(watcher.connections);
  watching.replace(pool_of(first), first->targets);
  collect_connections(metrics, current, workers.size());
  for (std::size_t i = 0; i < workers.size(); ++i) {
    auto& w = *workers[i];
    net::co_spawn(w.io, http::accept_loop(w.acceptor, w.handler, traffic), net::detached);
    w.thread = std::thread([&io = w.io, i] {
      metrics::set_thread_shard(i);
      io.run();
    });
  }

  net::io_context main_io;
  std::function<void()> reload_now;
  config_watch watch(main_io, path, [&reload_now] { reload_now(); });
  // A new snapshot: the probes and scrapes move to its replicas, and the idle connections to
  // servers it dropped are closed.
  const auto adopt = [&](const std::shared_ptr<runtime>& rt) {
    directory.serving(rt->targets.pools());
    net::post(watcher.io, [&watching, rt] { watching.replace(pool_of(rt), rt->targets); });
  };
  const auto follow_watch_config = [&](const config::config& c) {
    if (!c.watch_config) return watch.stop();
    std::string why;
    if (!watch.start(why)) spdlog::error("watch_config: {}; reload with SIGHUP instead", why);
  };
  const service_notify systemd;
  const auto where = printable(workers.front()->acceptor.local_endpoint());
  const auto serving = [&where](const runtime& rt) {
    return fmt::format("serving {} model group(s) on {}{}", rt.pool.groups().size(), rt.front_tls ? "https://" : "",
                       where);
  };
  reload_now = [&] {
    systemd.reloading();
    auto rt = reload(path, opts, current, base);
    if (!rt) return systemd.ready("the config reload was refused: " + serving(*current.load()) + " as before");
    adopt(rt);
    follow_watch_config(*rt->cfg);
    systemd.ready(serving(*rt));
  };
  follow_watch_config(*cfg);

  // The first SIGINT or SIGTERM drains: no new connections, requests in flight run to their end
  // (within shutdown_timeout). A second one stops at once.
  net::signal_set signals(main_io, SIGINT, SIGTERM);
  net::signal_set rotate(main_io, SIGUSR1);
  net::signal_set hangup(main_io, SIGHUP);
  reopen_on_signal(rotate, access_log.get());
  reload_on_signal(hangup, reload_now);
  steady_timer drain(main_io);
  // Announced once every signal has its handler: a signal sent on seeing the line is handled.
  spdlog::info("llm-d {} with {} worker(s)", serving(*first), workers.size());
  if (first->keys.enabled()) {
    spdlog::info("the API asks for one of {} client key(s)", first->keys.all().size());
  } else {
    spdlog::warn("no client keys (auth.keys): the API is open to anyone who reaches {}", where);
  }
  std::printf("llm-d listening on %s\n", where.c_str());
  if (admin_listen) {
    const auto admin_where = printable(admin_listen->acceptor.local_endpoint());
    spdlog::info("llm-d serving the admin routes on {}{} only", first->front_tls ? "https://" : "", admin_where);
    std::printf("llm-d admin listening on %s\n", admin_where.c_str());
  }
  std::fflush(stdout);
  systemd.ready(serving(*first));
  first.reset();
  const std::function<void()> stop = [&] {
    for (auto& w : workers) w->io.stop();
    rotate.cancel();
    hangup.cancel();
    watch.stop();
    main_io.stop();
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    const auto draining = fmt::format("draining {} request(s) in flight", traffic.requests.load());
    spdlog::info("signal {}: {}", signal, draining);
    systemd.stopping(draining);
    traffic.draining = true;
    for (auto& w : workers) net::post(w->io, [&acceptor = w->acceptor] { acceptor.close(); });
    if (admin_listen) net::post(workers.front()->io, [&acceptor = admin_listen->acceptor] { acceptor.close(); });
    signals.async_wait([&](const boost::system::error_code& again, int) {
      if (again) return;
      spdlog::info("second signal: stopping now");
      stop();
    });
    stop_when_drained(drain, traffic, std::chrono::steady_clock::now() + current.load()->cfg->limit.shutdown_timeout,
                      stop);
  });
  main_io.run();
  for (auto& w : workers) w->thread.join();
  return 0;
}

}  // namespace llmd::app
