// The schema: which keys exist where and what each must hold. Every problem is kept, so one run
// of `llm-d --check-config` shows them all.
#include "llmd/config/parse.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <sstream>
#include <system_error>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "detail.hpp"
#include "proxy.hpp"
#include "read_auth.hpp"
#include "read_cors.hpp"
#include "read_routing.hpp"
#include "reader.hpp"
#include "replicas.hpp"
#include "tls.hpp"

namespace llmd::config {

namespace {

using detail::child_path;
using detail::field;
using detail::items;
using detail::members;
using detail::reader;

template <std::size_t A, std::size_t B>
constexpr std::array<std::string_view, A + B> concat(const std::array<std::string_view, A>& a,
                                                     const std::array<std::string_view, B>& b) {
  std::array<std::string_view, A + B> out;
  std::copy(b.begin(), b.end(), std::copy(a.begin(), a.end(), out.begin()));
  return out;
}

constexpr std::array<std::string_view, 15> top_level_keys = {
    "listen", "listen_tls", "workers",      "models", "default_model", "defaults",    "limits",
    "queue",  "health",     "retry_budget", "admin",  "watch_config",  "routing", "auth", "cors"};
// What `defaults:` may set and an entry may override.
constexpr std::array<std::string_view, 13> policy_keys = {
    "connect_timeout",   "first_byte_timeout",       "idle_timeout", "request_timeout", "retries", "retry_backoff",
    "retry_backoff_max", "context_window_fallbacks", "health_check", "slow_factor",     "tls",     "proxy",
    "metrics"};
constexpr std::array<std::string_view, 9> entry_only_keys = {"name",  "id",      "endpoint", "max_concurrent",
                                                             "model", "headers", "api_key",  "weight",
                                                             "fallbacks"};
constexpr auto entry_keys = concat(entry_only_keys, policy_keys);
constexpr std::array<std::string_view, 3> periodic_get_keys = {"path", "interval", "timeout"};
constexpr std::array<std::string_view, 9> limit_keys = {
    "max_body_size",         "max_header_size",     "max_headers",         "max_connections", "client_idle_timeout",
    "client_header_timeout", "client_body_timeout", "client_send_timeout", "shutdown_timeout"};
constexpr std::array<std::string_view, 2> queue_keys = {"max_waiting", "max_wait"};
constexpr std::array<std::string_view, 3> health_keys = {"failures_to_eject", "cooldown", "max_cooldown"};
constexpr std::array<std::string_view, 2> retry_budget_keys = {"percent", "min_retries"};
constexpr std::array<std::string_view, 2> admin_keys = {"key", "listen"};
// llm-d frames every upstream request itself.
constexpr std::array<std::string_view, 4> unsettable_headers = {"Host", "Content-Length", "Transfer-Encoding",
                                                                "Connection"};

// A group named in `fallbacks` or `context_window_fallbacks`, checked once every group is known.
// `owner` is the naming entry's group, empty in `defaults`.
struct reference {
  std::string group;
  std::string owner;
  field at;
};

struct named_groups {
  std::vector<reference> fallbacks;
  std::vector<reference> context_window_fallbacks;
};

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}


void read_limits(reader& r, const field* at, limits& out) {
  if (!at) return;
  const auto m = r.map(*at, limit_keys);
  if (!m) return;
  if (auto size = r.positive_size(m->get("max_body_size"))) out.max_body_bytes = *size;
  if (auto size = r.positive_size(m->get("max_header_size"))) out.max_header_bytes = *size;
  if (auto n = r.positive_int(m->get("max_headers"))) out.max_headers = static_cast<std::size_t>(*n);
  if (auto n = r.positive_int(m->get("max_connections"))) out.max_connections = static_cast<std::size_t>(*n);
  if (auto d = r.positive_duration(m->get("client_idle_timeout"))) out.client_idle_timeout = *d;
  const field* header_at = m->get("client_header_timeout");
  if (auto d = r.positive_duration(header_at)) out.client_header_timeout = *d;
  if (auto d = r.positive_duration(m->get("client_body_timeout"))) out.client_body_timeout = *d;
  if (auto d = r.positive_duration(m->get("client_send_timeout"))) out.client_send_timeout = *d;
  if (auto d = r.positive_duration(m->get("shutdown_timeout"))) out.shutdown_timeout = *d;
  // Until this release it bounded the body and the writes, which now have keys of their own.
  if (header_at && !m->get("client_body_timeout") && !m->get("client_send_timeout")) {
    r.warn(header_at->path, header_at->line,
           "now bounds the request head alone, from its first byte; the body has client_body_timeout and the "
           "response's writes client_send_timeout (30s each unless set)");
  }
}

std::optional<detail::address> read_address(reader& r, const field* at) {
  const auto text = r.text(at);
  if (!text) return std::nullopt;
  auto parsed = detail::parse_listen(*text);
  if (!parsed.value) r.report(*at, std::move(parsed.error));
  return std::move(parsed.value);
}

void read_listen(reader& r, const field* at, config& out) {
  auto address = read_address(r, at);
  if (!address) return;
  out.listen_host = std::move(address->host);
  out.listen_port = std::move(address->port);
}

bool is_unsettable(std::string_view name) {
  return std::any_of(unsettable_headers.begin(), unsettable_headers.end(),
                     [&](std::string_view h) { return detail::iequals(h, name); });
}

bool has_header(const std::vector<header>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const header& h) { return detail::iequals(h.name, name); });
}

std::optional<header> read_header(reader& r, const std::string& name, const field& value,
                                  const std::vector<header>& earlier, bool has_api_key) {
  const auto text = r.text(&value);
  if (!detail::is_header_name(name)) {
    r.report(value, "is not a valid header name");
  } else if (is_unsettable(name)) {
    r.report(value, "cannot be set: llm-d manages this header");
  } else if (has_api_key && detail::iequals(name, "Authorization")) {
    r.report(value, "cannot be set together with api_key");
  } else if (has_header(earlier, name)) {
    r.report(value, "duplicate header (names are case-insensitive)");
  } else if (text && detail::has_control_chars(*text)) {
    r.report(value, "must not contain CR, LF or other control characters");
  } else if (text) {
    return header{.name = name, .value = *text};
  }
  return std::nullopt;
}

std::vector<header> read_headers(reader& r, const field* at, bool has_api_key) {
  std::vector<header> out;
  if (!at) return out;
  const auto m = r.map(*at);
  if (!m) return out;
  for (const auto& [name, value] : *m) {
    if (auto h = read_header(r, name, value, out, has_api_key)) out.push_back(std::move(*h));
  }
  return out;
}

// An api_key or the admin key.
std::optional<std::string> read_key(reader& r, const field* at) {
  auto key = r.non_empty_text(at);
  if (key && detail::has_control_chars(*key)) {
    r.report(*at, "must not contain CR, LF or other control characters");
    return std::nullopt;
  }
  return key;
}

std::optional<std::vector<std::string>> read_group_names(reader& r, const field* at, const std::string& owner,
                                                         std::vector<reference>& references) {
  if (!at) return std::nullopt;
  if (!at->node.IsSequence()) {
    r.report(*at, "must be a sequence");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : items(*at)) {
    if (auto group = r.non_empty_text(&item)) {
      references.push_back(reference{.group = *group, .owner = owner, .at = item});
      out.push_back(std::move(*group));
    }
  }
  return out;
}

// A duration key of one map with the value in force there: as written, or inherited when `at` is null.
struct duration_key {
  std::string_view key;
  const field* at;
  duration value;
};

// nullopt when the key is written but unusable: that is reported already, and no cross-check adds to it.
std::optional<duration_key> read_duration_key(reader& r, const members& m, std::string_view key, duration inherited) {
  const field* at = m.get(key);
  if (!at) return duration_key{.key = key, .at = nullptr, .value = inherited};
  const auto value = r.positive_duration(at);
  if (!value) return std::nullopt;
  return duration_key{.key = key, .at = at, .value = *value};
}

enum class order { at_most, below };

// `low` must be at most (or below) `high`. The problem goes on low's key when it is written in this
// map, else on high's; a pair that is only inherited was checked where it was written.
void check_order(reader& r, const std::optional<duration_key>& low, const std::optional<duration_key>& high,
                 order rule) {
  if (!low || !high || (!low->at && !high->at)) return;
  if (rule == order::below ? low->value < high->value : low->value <= high->value) return;
  if (low->at) {
    const std::string relation = rule == order::below ? "must be less than " : "must not exceed ";
    r.report(*low->at, relation + std::string(high->key) + " (" + detail::format_duration(high->value) + ")");
  } else {
    const std::string relation = rule == order::below ? "must be greater than " : "must not be less than ";
    r.report(*high->at, relation + std::string(low->key) + " (" + detail::format_duration(low->value) + ")");
  }
}

void read_timeouts(reader& r, const members& m, timeouts& out) {
  if (auto d = r.positive_duration(m.get("connect_timeout"))) out.connect = *d;
  if (auto d = r.positive_duration(m.get("first_byte_timeout"))) out.first_byte = *d;
  if (auto d = r.positive_duration(m.get("idle_timeout"))) out.idle = *d;
  if (auto d = r.positive_duration(m.get("request_timeout"))) out.request = *d;
}

void read_retry(reader& r, const members& m, retry_policy& out) {
  if (auto n = r.non_negative_int(m.get("retries"))) out.retries = *n;
  const auto backoff = read_duration_key(r, m, "retry_backoff", out.backoff);
  const auto backoff_max = read_duration_key(r, m, "retry_backoff_max", out.backoff_max);
  if (backoff) out.backoff = backoff->value;
  if (backoff_max) out.backoff_max = backoff_max->value;
  check_order(r, backoff, backoff_max, order::at_most);
}

// Sent as the request line's target, as written.
bool is_probe_path(std::string_view path) {
  return path.starts_with('/') && std::all_of(path.begin(), path.end(), [](char c) { return c > ' ' && c <= '~'; });
}

std::optional<std::string> read_probe_path(reader& r, const field* at) {
  auto path = r.non_empty_text(at);
  if (path && !is_probe_path(*path)) {
    r.report(*at, "must start with / and contain only visible ASCII characters (no spaces)");
    return std::nullopt;
  }
  return path;
}

// A GET of a path every interval, given up past a timeout below it (health_check, metrics):
// replaced as a whole, unset keys taking T's built-in defaults, not those of `defaults:`. The
// timeout's default is `timeout_of` the interval read.
template <typename T, typename TimeoutOf>
std::optional<T> read_periodic_get(reader& r, const field* at, TimeoutOf timeout_of) {
  if (!at) return std::nullopt;
  const auto m = r.map(*at, periodic_get_keys);
  if (!m) return std::nullopt;
  T out;
  if (auto path = read_probe_path(r, m->get("path"))) out.path = std::move(*path);
  const auto interval = read_duration_key(r, *m, "interval", out.interval);
  if (interval) out.interval = interval->value;
  out.timeout = timeout_of(out.interval, out.timeout);
  const auto timeout = read_duration_key(r, *m, "timeout", out.timeout);
  if (timeout) out.timeout = timeout->value;
  check_order(r, timeout, interval, order::below);
  return out;
}

std::optional<active_check> read_health_check(reader& r, const field* at) {
  return read_periodic_get<active_check>(r, at, [](duration, duration built_in) { return built_in; });
}

// The timeout defaults to half the interval, at most 1 s.
std::optional<metrics_scrape> read_metrics_scrape(reader& r, const field* at) {
  return read_periodic_get<metrics_scrape>(r, at, [](duration interval, duration) {
    return std::clamp<duration>(interval / 2, duration(1), std::chrono::seconds(1));
  });
}

// `out` holds the inherited policy; `owner` is the entry's group, empty in `defaults`.
void read_policy(reader& r, const members& m, const std::string& owner, entry_policy& out,
                 std::vector<reference>& references) {
  read_timeouts(r, m, out.timeout);
  read_retry(r, m, out.retry);
  const field* context_at = m.get("context_window_fallbacks");
  if (auto groups = read_group_names(r, context_at, owner, references)) {
    out.context_window_fallbacks = std::move(*groups);
  } else if (!context_at) {
    // A list from `defaults` serves every group but the one it names.
    std::erase(out.context_window_fallbacks, owner);
  }
  if (auto check = read_health_check(r, m.get("health_check"))) out.health_check = std::move(*check);
  if (auto scrape = read_metrics_scrape(r, m.get("metrics"))) out.metrics = std::move(*scrape);
  if (auto factor = r.number_above_one(m.get("slow_factor"))) out.slow_factor = *factor;
}

// Where an entry without `proxy` takes its proxy from.
enum class proxy_origin { environment, defaults };

proxy_origin read_defaults(reader& r, const field* at, entry_policy& out, std::vector<reference>& references) {
  if (!at) return proxy_origin::environment;
  const auto m = r.map(*at, policy_keys);
  if (!m) return proxy_origin::environment;
  read_policy(r, *m, "", out, references);
  detail::read_tls(r, m->get("tls"), out.tls);
  const field* proxy_at = m->get("proxy");
  if (!proxy_at) return proxy_origin::environment;
  out.proxy = detail::read_proxy(r, *proxy_at);
  return proxy_origin::defaults;
}

// What every entry starts from.
struct entry_basis {
  const entry_policy& defaults;
  proxy_origin proxy;
  detail::environment_proxies& environment;
};

void read_queue(reader& r, const field* at, queue_settings& out) {
  if (!at) return;
  const auto m = r.map(*at, queue_keys);
  if (!m) return;
  if (auto n = r.non_negative_int(m->get("max_waiting"))) out.max_waiting = static_cast<std::size_t>(*n);
  if (auto d = r.positive_duration(m->get("max_wait"))) out.max_wait = *d;
}

void read_health(reader& r, const field* at, health_settings& out) {
  if (!at) return;
  const auto m = r.map(*at, health_keys);
  if (!m) return;
  if (auto n = r.positive_int(m->get("failures_to_eject"))) out.failures_to_eject = *n;
  const auto cooldown = read_duration_key(r, *m, "cooldown", out.cooldown);
  const auto max_cooldown = read_duration_key(r, *m, "max_cooldown", out.max_cooldown);
  if (cooldown) out.cooldown = cooldown->value;
  if (max_cooldown) out.max_cooldown = max_cooldown->value;
  check_order(r, cooldown, max_cooldown, order::at_most);
}

// `20%`, `20`, or a map of `percent` and `min_retries`.
void read_retry_budget(reader& r, const field* at, retry_budget& out) {
  if (!at) return;
  if (!at->node.IsMap()) {
    if (auto p = r.percent(at)) out.percent = *p;
    return;
  }
  const auto m = r.map(*at, retry_budget_keys);
  if (!m) return;
  if (auto p = r.percent(m->get("percent"))) out.percent = *p;
  if (auto n = r.non_negative_int(m->get("min_retries"))) out.min_retries = *n;
}

std::optional<std::string> required_text(reader& r, const members& m, const field& entry, std::string_view key) {
  const field* at = m.get(key);
  if (!at) {
    r.report(child_path(entry.path, key), entry.line, "is required");
    return std::nullopt;
  }
  return r.non_empty_text(at);
}

void read_endpoint(reader& r, const members& m, const field& entry, model_entry& out) {
  auto endpoint = required_text(r, m, entry, "endpoint");
  if (!endpoint) return;
  auto url = parse_endpoint(*endpoint);
  if (!url.value) return r.report(*m.get("endpoint"), std::move(url.error));
  out.endpoint = std::move(*endpoint);
  out.url = std::move(*url.value);
}

// Over the `tls` of `defaults`, key by key; an https:// entry that does not verify its server is
// warned about, wherever that was set.
void read_entry_tls(reader& r, const members& m, const field& entry, model_entry& out) {
  const field* at = m.get("tls");
  if (at && out.url.scheme == "http") return r.report(*at, "tls applies only to https:// endpoints");
  const auto skip_at = detail::read_tls(r, at, out.tls);
  if (!out.url.tls() || !out.tls.insecure_skip_verify) return;
  const std::string risk =
      "TLS verification is off: the server's certificate is not checked, so a man in the middle can read prompts "
      "and API keys";
  if (skip_at) return r.warn(skip_at->path, skip_at->line, risk);
  r.warn(entry.path, entry.line, risk + " (tls.insecure_skip_verify from defaults)");
}

void read_entry_proxy(reader& r, const members& m, const entry_basis& basis, model_entry& out) {
  if (const field* at = m.get("proxy")) {
    out.proxy = detail::read_proxy(r, *at);
  } else if (basis.proxy == proxy_origin::environment) {
    out.proxy = basis.environment.proxy_for(r, out.url);
  }
}

std::optional<model_entry> read_entry(reader& r, const field& at, const entry_basis& basis, named_groups& named,
                                      detail::entry_place& place) {
  const auto m = r.map(at, entry_keys);
  if (!m) return std::nullopt;
  model_entry out;
  static_cast<entry_policy&>(out) = basis.defaults;
  out.line = at.line;
  if (auto name = required_text(r, *m, at, "name")) out.name = std::move(*name);
  read_endpoint(r, *m, at, out);
  const field* id_at = m->get("id");
  detail::read_replica_id(r, id_at, at, out);
  place = detail::entry_place{
      .path = at.path, .line = at.line, .id_at = id_at ? std::optional<field>(*id_at) : std::nullopt};
  if (auto n = r.positive_int(m->get("max_concurrent"))) out.max_concurrent = *n;
  out.model = r.non_empty_text(m->get("model"));
  out.api_key = read_key(r, m->get("api_key"));
  out.headers = read_headers(r, m->get("headers"), m->get("api_key") != nullptr);
  if (auto n = r.positive_int(m->get("weight"))) out.weight = *n;
  out.fallbacks = read_group_names(r, m->get("fallbacks"), out.name, named.fallbacks);
  read_policy(r, *m, out.name, out, named.context_window_fallbacks);
  read_entry_tls(r, *m, at, out);
  read_entry_proxy(r, *m, basis, out);
  return out;
}

// False when `models` is missing or unusable, so that names cannot be checked against groups.
// `places` gets each entry's place, parallel to out.models.
bool read_models(reader& r, const field* at, const entry_basis& basis, config& out, named_groups& named,
                 std::vector<detail::entry_place>& places) {
  if (!at) {
    r.report("models", 0, "is required");
    return false;
  }
  if (at->node.IsNull() || (at->node.IsSequence() && at->node.size() == 0)) {
    r.report(*at, "must list at least one model");
    return false;
  }
  if (!at->node.IsSequence()) {
    r.report(*at, "must be a sequence");
    return false;
  }
  for (const auto& item : items(*at)) {
    detail::entry_place place;
    if (auto entry = read_entry(r, item, basis, named, place)) {
      out.models.push_back(std::move(*entry));
      places.push_back(std::move(place));
    }
  }
  detail::check_replicas(r, out.models, places);
  return true;
}

// The group names of the entries that have one.
std::vector<std::string> known_groups(const std::vector<model_entry>& models) {
  std::vector<std::string> names;
  for (const auto& m : models) {
    if (!m.name.empty() && !contains(names, m.name)) names.push_back(m.name);
  }
  return names;
}

void check_references(reader& r, const std::vector<reference>& references, const std::vector<std::string>& groups) {
  for (const auto& ref : references) {
    if (ref.group == ref.owner) {
      r.report(ref.at, "a group may not list itself as a fallback");
    } else if (!contains(groups, ref.group)) {
      r.report(ref.at, "no model group is named \"" + ref.group + "\"");
    }
  }
}

struct fallback_edge {
  std::size_t to;   // index in the group list
  const field* at;  // the first `fallbacks` item naming this edge
};

// Depth-first over the groups' fallbacks (the union over each group's entries), in file order:
// every edge back into the current path closes a cycle, reported once at that edge's item.
class cycle_finder {
 public:
  cycle_finder(reader& r, const std::vector<std::string>& groups, const std::vector<reference>& fallbacks)
      : r_(r), groups_(groups), edges_(groups.size()), state_(groups.size(), state::unvisited) {
    for (const auto& ref : fallbacks) add_edge(ref);
  }

  void report_cycles() {
    for (std::size_t group = 0; group < groups_.size(); ++group) {
      if (state_[group] == state::unvisited) visit(group);
    }
  }

 private:
  enum class state { unvisited, on_path, done };

  std::size_t index_of(const std::string& name) const {
    return static_cast<std::size_t>(std::find(groups_.begin(), groups_.end(), name) - groups_.begin());
  }

  // Unknown groups and self-references are reported as such and left out.
  void add_edge(const reference& ref) {
    const auto from = index_of(ref.owner);
    const auto to = index_of(ref.group);
    if (from == groups_.size() || to == groups_.size() || from == to) return;
    auto& edges = edges_[from];
    if (std::none_of(edges.begin(), edges.end(), [&](const fallback_edge& e) { return e.to == to; })) {
      edges.push_back(fallback_edge{.to = to, .at = &ref.at});
    }
  }

  void visit(std::size_t group) {
    state_[group] = state::on_path;
    path_.push_back(group);
    for (const auto& edge : edges_[group]) {
      if (state_[edge.to] == state::on_path) {
        report(edge);
      } else if (state_[edge.to] == state::unvisited) {
        visit(edge.to);
      }
    }
    path_.pop_back();
    state_[group] = state::done;
  }

  void report(const fallback_edge& closing) {
    std::string message = "fallback cycle ";
    for (auto it = std::find(path_.begin(), path_.end(), closing.to); it != path_.end(); ++it) {
      message += groups_[*it] + " -> ";
    }
    r_.report(*closing.at, message + groups_[closing.to]);
  }

  reader& r_;
  const std::vector<std::string>& groups_;
  std::vector<std::vector<fallback_edge>> edges_;
  std::vector<state> state_;
  std::vector<std::size_t> path_;
};

void check_groups(reader& r, const named_groups& named, const std::vector<std::string>& groups) {
  check_references(r, named.fallbacks, groups);
  check_references(r, named.context_window_fallbacks, groups);
  cycle_finder(r, groups, named.fallbacks).report_cycles();
}

void read_default_model(reader& r, const field* at, const std::vector<std::string>* groups, config& out) {
  if (!at) {
    if (!out.models.empty()) out.default_model = out.models.front().name;
    return;
  }
  if (at->node.IsNull()) return;
  auto name = r.text(at);
  if (!name) return;
  if (groups && !contains(*groups, *name)) r.report(*at, "no model group is named \"" + *name + "\"");
  out.default_model = std::move(*name);
}

// Both listen on every address when either is a wildcard.
bool same_listener(const detail::address& a, const config& main) {
  const auto wildcard = [](const std::string& host) { return host == "0.0.0.0" || host == "::"; };
  if (a.port == "0" || a.port != main.listen_port) return false;  // port 0: each gets a free port
  return a.host == main.listen_host || wildcard(a.host) || wildcard(main.listen_host);
}

// After `listen`, which the admin listener must differ from.
void read_admin(reader& r, const field* at, config& out) {
  if (!at) return;
  const auto m = r.map(*at, admin_keys);
  if (!m) return;
  out.admin.key = read_key(r, m->get("key"));
  const field* listen_at = m->get("listen");
  auto address = read_address(r, listen_at);
  if (!address) return;
  if (same_listener(*address, out)) {
    const bool v6 = out.listen_host.find(':') != std::string::npos;
    const auto listen = (v6 ? "[" + out.listen_host + "]" : out.listen_host) + ":" + out.listen_port;
    return r.report(*listen_at, "must differ from listen (" + listen + ")");
  }
  out.admin.listen_host = std::move(address->host);
  out.admin.listen_port = std::move(address->port);
}

void read_settings(reader& r, const members& m, config& out) {
  read_listen(r, m.get("listen"), out);
  out.listen_tls = detail::read_listen_tls(r, m.get("listen_tls"));
  if (auto n = r.non_negative_int(m.get("workers"))) out.workers = *n;
  named_groups named;
  const auto proxy = read_defaults(r, m.get("defaults"), out.defaults, named.context_window_fallbacks);
  read_limits(r, m.get("limits"), out.limit);
  read_queue(r, m.get("queue"), out.queue);
  read_health(r, m.get("health"), out.health);
  read_retry_budget(r, m.get("retry_budget"), out.budget);
  detail::environment_proxies environment(r.env());
  const entry_basis basis{.defaults = out.defaults, .proxy = proxy, .environment = environment};
  std::vector<detail::entry_place> places;
  const bool have_models = read_models(r, m.get("models"), basis, out, named, places);
  const auto groups = known_groups(out.models);
  if (have_models) check_groups(r, named, groups);
  read_default_model(r, m.get("default_model"), have_models ? &groups : nullptr, out);
  read_admin(r, m.get("admin"), out);
  detail::read_auth(r, m.get("auth"), groups, out.auth);
  out.cors = detail::read_cors(r, m.get("cors"));
  detail::read_routing(r, m.get("routing"), out.routing);
  if (auto watch = r.boolean(m.get("watch_config"))) out.watch_config = *watch;
  // Chains are only worth judging in a file that is otherwise sound.
  if (have_models && r.problem_count() == 0) detail::warn_about_chains(r, out.models, places);
}

// In file order; problems without a line last.
void sort_by_line(std::vector<problem>& problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const problem& a, const problem& b) {
    if (a.line == 0 || b.line == 0) return a.line != 0 && b.line == 0;
    return a.line < b.line;
  });
}

// Where a document of a YAML stream starts, and where its root node does.
struct document_marks {
  YAML::Mark start = YAML::Mark::null_mark();
  YAML::Mark root = YAML::Mark::null_mark();
};

// Notes each document's marks as yaml-cpp's parser walks the stream.
class document_walk final : public YAML::EventHandler {
 public:
  std::vector<document_marks> documents;

  void OnDocumentStart(const YAML::Mark& mark) override { documents.push_back({.start = mark}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (documents.back().root.is_null()) documents.back().root = mark;
  }
};

// The first two documents of `text`, or fewer; throws YAML::Exception where it is not YAML.
// yaml-cpp 0.7's LoadAll never returns on some malformed streams: on ",{" it makes an empty
// document at the same place again and again, keeping each, until memory runs out. Only two are
// read here, and a second that starts where the first did is that loop.
std::vector<document_marks> first_documents(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser stream(in);
  document_walk walk;
  while (walk.documents.size() < 2 && stream.HandleNextDocument(walk)) {
  }
  return std::move(walk.documents);
}

parse_result single_problem(std::string message, int line) {
  problem only{.path = "", .message = std::move(message), .line = line};
  return parse_result{.value = std::nullopt, .problems = {std::move(only)}, .warnings = {}};
}

parse_result read_document(const YAML::Node& root, const env_lookup& env) {
  reader r(env);
  config out;
  const field top{.node = root, .path = "", .line = detail::line_of(root)};
  if (root.IsNull()) {
    read_settings(r, members{}, out);
  } else if (!root.IsMap()) {
    r.report(top, "the top level must be a map");
  } else if (auto m = r.map(top, top_level_keys)) {
    read_settings(r, *m, out);
  }
  parse_result result{.value = std::nullopt, .problems = r.take_problems(), .warnings = r.take_warnings()};
  sort_by_line(result.problems);
  sort_by_line(result.warnings);
  if (result.problems.empty()) result.value = std::move(out);
  return result;
}

}  // namespace

std::string problem::to_string() const {
  std::string out = path.empty() ? message : path + ": " + message;
  if (line > 0) out += " (line " + std::to_string(line) + ")";
  return out;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

parse_result parse(std::string_view yaml_text, const env_lookup& env) {
  const std::string text(yaml_text);
  YAML::Node root;
  try {
    const auto documents = first_documents(text);
    if (documents.size() > 1 && documents[1].start.pos == documents[0].start.pos) {
      return single_problem("invalid YAML: unexpected token", documents[0].start.line + 1);
    }
    if (documents.size() > 1) {
      const auto& second = documents[1].root;
      return single_problem("the file must hold a single YAML document", second.is_null() ? 0 : second.line + 1);
    }
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return single_problem("invalid YAML: " + e.msg, e.mark.is_null() ? 0 : e.mark.line + 1);
  }
  return read_document(root, env);
}

parse_result load_file(const std::string& path, const env_lookup& env) {
  auto file = detail::read_file(path);
  if (file.error != 0) {
    return single_problem("cannot read " + path + ": " + std::generic_category().message(file.error), 0);
  }
  return parse(file.text, env);
}

}  // namespace llmd::config
