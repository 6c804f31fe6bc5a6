// Reading a config from YAML: every problem is collected with its YAML path and line, so
// `llm-d --check-config` can print them all at once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmd/config/config.hpp"

namespace llmd::config {

struct problem {
  std::string path;     // e.g. "models[1].max_concurrent"
  std::string message;  // e.g. "must be a positive integer"
  int line = 0;         // 1-based; 0 when the problem has no single place in the file
  // "models[1].max_concurrent: must be a positive integer (line 9)"
  std::string to_string() const;
};

struct parse_result {
  std::optional<config> value;    // set exactly when problems is empty
  std::vector<problem> problems;
  // Settings that are valid but risky (insecure_skip_verify; a group one failure from an outage;
  // a fallback smaller than a group it backs up): `--check-config` prints them and the daemon logs
  // them at start. They never make the config invalid.
  std::vector<problem> warnings;
};

// Looks up an environment variable for ${VAR} expansion; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> process_env(const std::string& name);

parse_result parse(std::string_view yaml_text, const env_lookup& env = process_env);
parse_result load_file(const std::string& path, const env_lookup& env = process_env);

// Endpoint derivation, exposed for tests: "http://h:8001/v1/chat/completions" -> {http, h, 8001, ""}.
// Returns an error message instead when the URL is unusable.
struct url_result {
  std::optional<upstream_url> value;
  std::string error;
};
url_result parse_endpoint(std::string_view endpoint);

// A replica's id when its entry sets no `id`: NAME@HOST:PORT (an IPv6 host in brackets), followed
// by the root when it is not /v1: "gpt4@myres.openai.azure.com:443/openai/deployments/gpt4". The
// query is left out: it may hold a key.
std::string derived_replica_id(std::string_view name, const upstream_url& url);

// Whether two entries are one replica: the same group name and the same server (scheme, host
// ignoring case, port, root and query). A reload keeps such a replica's slots, health and
// connections; two such entries in one file are a problem.
bool same_replica(const model_entry& a, const model_entry& b);

// What a replica id may hold, written or derived: 1 to 128 characters among A-Z a-z 0-9 . _ : @ / # -
// and the brackets of an IPv6 host, as it goes into a header value and a metric label.
bool is_replica_id(std::string_view id);

// "250ms", "2s", "5m", "1h" or a plain number of seconds ("1.5"); nullopt when malformed or negative.
std::optional<duration> parse_duration(std::string_view text);

// "16MiB", "512KiB", "1GiB", "1000" (bytes); also KB/MB/GB as powers of 1000.
std::optional<std::size_t> parse_size(std::string_view text);

}  // namespace llmd::config
