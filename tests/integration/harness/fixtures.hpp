// Real processes for integration tests: llm-d-mock backends and an llm-d in front of them, all
// on loopback ports the kernel picks, so tests run in parallel and never collide.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "http_client.hpp"
#include "process.hpp"

namespace llmd::test {

// How a mock speaks TLS (test_pki::serving makes these), and how the harness's own calls to it
// (stats, requests, configure) connect. Not an aggregate, so that a mock's braced flag list
// never reads as one.
struct mock_tls {
  mock_tls(std::string cert, std::string key, tls_options control_calls)
      : cert_file(std::move(cert)), key_file(std::move(key)), control(std::move(control_calls)) {}
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // "": no client certificate asked for
  tls_options control;
};

class mock {
 public:
  explicit mock(const std::string& name, const std::vector<std::string>& flags = {});
  // Speaks only HTTPS.
  mock(const std::string& name, const mock_tls& tls, const std::vector<std::string>& flags = {});
  unsigned short port() const { return port_; }
  // As a config's endpoint: http://127.0.0.1:PORT/v1/chat/completions, or with TLS
  // https://localhost:PORT/v1/chat/completions (the name its certificates are for).
  std::string endpoint() const;
  // How the harness connects to it: nullopt for plain HTTP.
  const std::optional<tls_options>& tls() const { return tls_; }
  nlohmann::json stats() const;     // GET /mock/stats
  nlohmann::json requests() const;  // GET /mock/requests
  void configure(const nlohmann::json& settings) const;
  process& proc() { return *proc_; }
  // SIGKILL: connections vanish without a goodbye, as when a server crashes.
  void crash() {
    proc_->crash_on_destruction();
    proc_.reset();
  }
  // A fresh process on the same port, with the same flags.
  void restart();

 private:
  response control_call(const std::string& method, const std::string& target, const std::string& body = "") const;

  std::string name_;
  std::vector<std::string> flags_;
  std::optional<tls_options> tls_;
  std::optional<process> proc_;
  unsigned short port_;
};

// A config file a test lays out itself (a symlink, say), for gateway to start from.
struct config_file {
  std::string path;
};

class gateway {
 public:
  // `yaml` is a whole config; llm-d listens on a port of its own choosing.
  // `env` ("NAME=VALUE") is added to the environment llm-d gets (see process).
  explicit gateway(const std::string& yaml, const std::vector<std::string>& flags = {},
                   const std::vector<std::string>& env = {});
  explicit gateway(const config_file& file, const std::vector<std::string>& flags = {});
  unsigned short port() const { return proc_.port(); }
  // The admin.listen port, from its "llm-d admin listening on" line.
  unsigned short admin_port() { return proc_.port_of("admin"); }
  response post(const std::string& target, const std::string& body, const headers& extra = {}) const;
  response get(const std::string& target, const headers& extra = {}) const;
  // What /admin/backends says of the replica `id` (null when there is none).
  nlohmann::json replica(const std::string& id) const;
  process& proc() { return proc_; }
  const std::string& config_path() const { return config_path_; }
  // Writes `yaml` over the config file and sends SIGHUP; returns at once.
  void reload(const std::string& yaml) const;

 private:
  temp_dir dir_;
  std::string config_path_;
  process proc_;
};

// One entry of a config's `models` list: `name` served by `m`, with `extra` lines (indented by four).
std::string model_entry(const std::string& name, const mock& m, const std::string& extra = "");
// The id llm-d gives the entry model_entry(name, m) makes: NAME@HOST:PORT, HOST as in m.endpoint().
std::string replica_id(const std::string& name, const mock& m);

// A port that refuses connections: bound, never listening, held for the object's life so no
// other test can take it.
class refusing_port {
 public:
  refusing_port();
  ~refusing_port();
  refusing_port(const refusing_port&) = delete;
  refusing_port& operator=(const refusing_port&) = delete;
  unsigned short port() const { return port_; }
  std::string endpoint() const;

 private:
  int fd_ = -1;
  unsigned short port_ = 0;
};
// The id of an entry `name` whose endpoint is p.endpoint(): NAME@127.0.0.1:PORT.
std::string replica_id(const std::string& name, const refusing_port& p);

// Polls `condition` until it holds or `within` passes.
testing::AssertionResult eventually(const std::function<bool()>& condition, std::chrono::milliseconds within,
                                    const std::string& what);

std::string llmd_binary();
std::string mock_binary();

}  // namespace llmd::test
