// The configuration of llm-d as plain structs with their defaults.
//
// A config is parsed and validated once (see parse.hpp), then shared read-only as
// std::shared_ptr<const config>: nothing on the request path ever mutates it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmd/config/auth.hpp"
#include "llmd/config/routing.hpp"

namespace llmd::config {

using duration = std::chrono::milliseconds;

struct timeouts {
  duration connect{std::chrono::seconds(2)};
  duration first_byte{std::chrono::seconds(60)};  // until the upstream's response headers
  duration idle{std::chrono::seconds(60)};        // longest silence between body chunks
  duration request{std::chrono::seconds(600)};    // whole request, all attempts included
};

// Where an entry's server lives, derived from its `endpoint`. A client's /v1/OPERATION (such as
// /v1/chat/completions) is sent upstream as root + /OPERATION, with query before the client's own
// query, so one entry serves every OpenAI operation of its server.
struct upstream_url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6 literals
  std::string port;    // always set: the URL's port or the scheme's default
  std::string root;    // e.g. "/v1" or "/openai/deployments/D": never empty, never ends with '/'
  std::string query;   // the endpoint's query without '?', sent on every operation; "" for none
  bool tls() const { return scheme == "https"; }
};

// How llm-d speaks TLS to an https:// upstream (nginx's proxy_ssl_*). Every key may be set in
// `defaults: tls` and overridden key by key on an entry.
struct tls_settings {
  std::string ca_file;      // "": the system's CA store
  std::string cert_file;    // client certificate for mutual TLS, with key_file; "": none
  std::string key_file;
  std::string server_name;  // verified and sent as SNI instead of the endpoint's host; "": the host
  bool insecure_skip_verify = false;
  bool operator==(const tls_settings&) const = default;
};

// An HTTP proxy that upstream connections tunnel through with CONNECT.
struct proxy_settings {
  std::string host;           // without brackets for IPv6 literals
  std::string port;
  std::string authorization;  // "Basic ..." from the URL's user:pass, or ""; never logged
  bool operator==(const proxy_settings&) const = default;
};

// TLS at the front door: the listener speaks only HTTPS.
struct listen_tls_settings {
  std::string cert_file;  // PEM chain, server certificate first
  std::string key_file;
};

struct header {
  std::string name;
  std::string value;
};

struct retry_policy {
  int retries = 2;                                          // extra attempts within the group
  duration backoff{std::chrono::milliseconds(50)};          // base of the exponential backoff
  duration backoff_max{std::chrono::seconds(2)};            // cap, also for an upstream Retry-After
};

// An active probe of a replica: GET path every interval (with jitter), failing past timeout.
struct active_check {
  std::string path = "/health";
  duration interval{std::chrono::seconds(5)};
  duration timeout{std::chrono::seconds(1)};
};

// Reading the replica's own metrics (vLLM's or SGLang's Prometheus text): GET path every
// interval, given up past timeout (by default half the interval, at most 1 s).
struct metrics_scrape {
  std::string path = "/metrics";
  duration interval{std::chrono::seconds(1)};
  duration timeout{std::chrono::milliseconds(500)};
  bool operator==(const metrics_scrape&) const = default;
};

// What an entry inherits from `defaults:` and may override key by key.
struct entry_policy {
  timeouts timeout;
  retry_policy retry;
  std::vector<std::string> context_window_fallbacks;  // group names, tried on a context-length 400
  std::optional<active_check> health_check;           // absent: passive health only
  std::optional<metrics_scrape> metrics;              // absent: the replica's engine is not read
  double slow_factor = 3.0;  // TTFT (EWMA) over this multiple of the group's marks a replica slow
  tls_settings tls;          // for https:// endpoints
  // The proxy to tunnel through; nullopt: direct. An entry without `proxy` (here or in
  // `defaults`) takes HTTPS_PROXY / HTTP_PROXY unless NO_PROXY matches its host.
  std::optional<proxy_settings> proxy;
};

struct model_entry : entry_policy {
  std::string name;                         // the group this entry is a replica of
  // The replica's id (x-llmd-backend, /admin/backends, metric labels): `id` as written, else
  // derived_replica_id(name, url). It depends on this entry alone, so it survives edits of others.
  std::string id;
  std::string endpoint;                     // as written in the file
  upstream_url url;                         // derived from endpoint
  int max_concurrent = 64;                  // slots
  std::optional<std::string> model;         // id sent upstream instead of the client's `model`
  std::vector<header> headers;              // extra upstream headers
  std::optional<std::string> api_key;       // sent as Authorization: Bearer; never logged
  int weight = 1;
  std::optional<std::vector<std::string>> fallbacks;  // ordered group names
  int line = 0;                             // 1-based YAML line of the entry, for messages
};

// What a client may hold or take; each bound is named for what it bounds.
struct limits {
  std::size_t max_body_bytes = 16 * 1024 * 1024;    // request bodies over this get 413
  std::size_t max_header_bytes = 64 * 1024;         // request heads over this get 431
  std::size_t max_headers = 100;                    // header fields; more get 431
  std::size_t max_connections = 10000;              // client connections open at once; more are closed at once
  duration client_idle_timeout{std::chrono::seconds(75)};    // keep-alive wait for the next request's first byte
  duration client_header_timeout{std::chrono::seconds(10)};  // the whole head, from its first byte
  duration client_body_timeout{std::chrono::seconds(30)};    // longest silence between body pieces
  duration client_send_timeout{std::chrono::seconds(30)};    // longest a client may take no response bytes
  duration shutdown_timeout{std::chrono::seconds(25)};  // on SIGTERM, for requests in flight to end
};

// Requests that find every group of their chain full wait here, first come first served.
struct queue_settings {
  std::size_t max_waiting = 1024;
  duration max_wait{std::chrono::seconds(30)};
};

// Passive health: consecutive failures eject a replica for a cooldown that doubles on each
// ejection in a row, up to max_cooldown.
struct health_settings {
  int failures_to_eject = 3;
  duration cooldown{std::chrono::seconds(10)};
  duration max_cooldown{std::chrono::minutes(5)};
};

// Retries (every attempt after a request's first) may not exceed percent of the requests of the
// last 10 s plus min_retries: a dying fleet is not hit by a retry storm.
struct retry_budget {
  double percent = 20;
  int min_retries = 10;
};

// The admin API: its key and, optionally, a listener of its own.
struct admin_settings {
  std::optional<std::string> key;          // the admin routes' bearer token; never logged or shown
  std::optional<std::string> listen_host;  // set together with listen_port; never equal to `listen`
  std::optional<std::string> listen_port;
};

// Cross-origin requests from browsers (CORS): which origins may call the API.
struct cors_settings {
  bool any_origin = false;           // allow_origins: "*"
  std::vector<std::string> origins;  // scheme://host[:port], as browsers send them in Origin
  duration max_age{std::chrono::minutes(10)};  // how long a browser may keep a preflight's answer
  bool allows(std::string_view origin) const;
};

struct config {
  std::string listen_host = "0.0.0.0";
  std::string listen_port = "8080";
  int workers = 0;  // event-loop threads; 0: one per core
  std::optional<listen_tls_settings> listen_tls;
  std::vector<model_entry> models;
  // The group for a request whose `model` matches no group name and no entry `model`.
  // Absent from the file: the first entry's name. `null` in the file: nullopt (404).
  std::optional<std::string> default_model;
  entry_policy defaults;
  limits limit;
  queue_settings queue;
  health_settings health;
  retry_budget budget;
  admin_settings admin;
  routing_settings routing;
  auth_settings auth;
  std::optional<cors_settings> cors;  // absent: no CORS headers, and preflights get 403
  bool watch_config = false;  // reload when the file changes
};

}  // namespace llmd::config
