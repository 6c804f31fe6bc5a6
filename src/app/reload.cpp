#include "llmd/app/reload.hpp"

#include <spdlog/spdlog.h>

#include "llmd/config/parse.hpp"

namespace llmd::app {

namespace {

std::string listen_of(const config::config& c) { return c.listen_host + ":" + c.listen_port; }

std::string admin_listen_of(const config::config& c) {
  return c.admin.listen_host ? *c.admin.listen_host + ":" + c.admin.listen_port.value_or("") : "none";
}

// How many of `next`'s replicas continue one of `before`'s.
int kept_replicas(const router::backend_pool& before, const router::backend_pool& next) {
  int kept = 0;
  for (int i = 0; i < next.replica_count(); ++i) {
    for (int j = 0; j < before.replica_count(); ++j) {
      if (next.replica_at(i).state == before.replica_at(j).state) {
        ++kept;
        break;
      }
    }
  }
  return kept;
}

}  // namespace

std::vector<std::string> keep_restart_settings(config::config& next, const config::config& running) {
  std::vector<std::string> changed;
  const auto note = [&](const std::string& name, const std::string& was, const std::string& asked) {
    if (was != asked) changed.push_back(name + " (" + was + " -> " + asked + ")");
  };
  note("listen", listen_of(running), listen_of(next));
  next.listen_host = running.listen_host;
  next.listen_port = running.listen_port;
  note("workers", std::to_string(running.workers), std::to_string(next.workers));
  next.workers = running.workers;
  note("admin.listen", admin_listen_of(running), admin_listen_of(next));
  next.admin.listen_host = running.admin.listen_host;
  next.admin.listen_port = running.admin.listen_port;
  note("listen_tls", running.listen_tls ? "on" : "off", next.listen_tls ? "on" : "off");
  // Its files are read again; whether there is TLS at all stays.
  if (next.listen_tls.has_value() != running.listen_tls.has_value()) next.listen_tls = running.listen_tls;
  return changed;
}

std::shared_ptr<runtime> reload(const std::string& path, const options& opts, runtime_slot& slot, runtime_base base) {
  const auto running_snapshot = slot.load();
  const runtime& running = *running_snapshot;
  auto loaded = config::load_file(path);
  if (!loaded.value) {
    spdlog::error("reload of {} refused, the running config keeps serving:", path);
    for (const auto& p : loaded.problems) spdlog::error("  {}", p.to_string());
    base.metrics.reloaded(false);
    return nullptr;
  }
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w.to_string());
  auto next = std::move(*loaded.value);
  if (opts.listen) split_host_port(*opts.listen, next.listen_host, next.listen_port);
  for (const auto& name : keep_restart_settings(next, *running.cfg)) {
    spdlog::warn("reload: {} needs a restart; until then the running value stays", name);
  }
  std::string error;
  auto rt = build_runtime(std::make_shared<const config::config>(std::move(next)), &running, base, error);
  if (!rt) {
    spdlog::error("reload of {} refused, the running config keeps serving: {}", path, error);
    base.metrics.reloaded(false);
    return nullptr;
  }
  slot.publish(rt);
  base.metrics.reloaded(true);
  const int kept = kept_replicas(running.pool, rt->pool);
  spdlog::info("config reloaded from {}: {} group(s), {} replica(s): {} kept, {} added, {} removed", path,
               rt->pool.groups().size(), rt->pool.replica_count(), kept, rt->pool.replica_count() - kept,
               running.pool.replica_count() - kept);
  return rt;
}

}  // namespace llmd::app
