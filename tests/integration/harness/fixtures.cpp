#include "fixtures.hpp"

#include <csignal>
#include <fstream>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace llmd::test {

std::string llmd_binary() { return LLMD_BINARY; }
std::string mock_binary() { return LLMD_MOCK_BINARY; }

namespace {

std::vector<std::string> with(std::vector<std::string> first, const std::vector<std::string>& rest) {
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

std::vector<std::string> tls_flags(const mock_tls& tls) {
  std::vector<std::string> flags = {"--tls-cert", tls.cert_file, "--tls-key", tls.key_file};
  if (!tls.client_ca_file.empty()) flags.insert(flags.end(), {"--tls-client-ca", tls.client_ca_file});
  return flags;
}

}  // namespace

mock::mock(const std::string& name, const std::vector<std::string>& flags)
    : name_(name), flags_(flags), proc_(std::in_place, mock_binary(), with({"--listen", "127.0.0.1:0", "--name", name}, flags)),
      port_(proc_->port()) {}

mock::mock(const std::string& name, const mock_tls& tls, const std::vector<std::string>& flags)
    : name_(name), flags_(with(tls_flags(tls), flags)), tls_(tls.control),
      proc_(std::in_place, mock_binary(), with({"--listen", "127.0.0.1:0", "--name", name}, flags_)),
      port_(proc_->port()) {}

void mock::restart() {
  proc_.reset();
  // The port may still be held for a moment by the crashed process's sockets.
  for (int tries = 1;; ++tries) {
    try {
      proc_.emplace(mock_binary(), with({"--listen", "127.0.0.1:" + std::to_string(port_), "--name", name_}, flags_));
      return;
    } catch (const std::runtime_error&) {
      if (tries == 20) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

std::string mock::endpoint() const {
  const std::string origin = tls_ ? "https://localhost:" : "http://127.0.0.1:";
  return origin + std::to_string(port()) + "/v1/chat/completions";
}

response mock::control_call(const std::string& method, const std::string& target, const std::string& body) const {
  return tls_ ? call(port(), *tls_, method, target, body) : call(port(), method, target, body);
}

nlohmann::json mock::stats() const { return nlohmann::json::parse(control_call("GET", "/mock/stats").body); }

nlohmann::json mock::requests() const { return nlohmann::json::parse(control_call("GET", "/mock/requests").body); }

void mock::configure(const nlohmann::json& settings) const {
  const auto r = control_call("POST", "/mock/config", settings.dump());
  if (r.status != 200) throw std::runtime_error("mock config refused: " + r.body);
}

gateway::gateway(const std::string& yaml, const std::vector<std::string>& flags, const std::vector<std::string>& env)
    : config_path_(dir_.write("llm-d.yaml", yaml)),
      proc_(llmd_binary(), with({"--config", config_path_, "--listen", "127.0.0.1:0"}, flags), std::chrono::seconds(20),
            env) {}

gateway::gateway(const config_file& file, const std::vector<std::string>& flags)
    : config_path_(file.path),
      proc_(llmd_binary(), with({"--config", config_path_, "--listen", "127.0.0.1:0"}, flags)) {}

void gateway::reload(const std::string& yaml) const {
  std::ofstream(config_path_, std::ios::trunc) << yaml;
  proc_.signal(SIGHUP);
}

response gateway::post(const std::string& target, const std::string& body, const headers& extra) const {
  return call(port(), "POST", target, body, extra);
}

response gateway::get(const std::string& target, const headers& extra) const {
  return call(port(), "GET", target, "", extra);
}

nlohmann::json gateway::replica(const std::string& id) const {
  const auto all = nlohmann::json::parse(get("/admin/backends").body);
  for (const auto& r : all["replicas"]) {
    if (r["id"] == id) return r;
  }
  return nullptr;
}

std::string model_entry(const std::string& name, const mock& m, const std::string& extra) {
  return "  - name: " + name + "\n    endpoint: " + m.endpoint() + "\n" + extra;
}

std::string replica_id(const std::string& name, const mock& m) {
  return name + (m.tls() ? "@localhost:" : "@127.0.0.1:") + std::to_string(m.port());
}

refusing_port::refusing_port() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot bind a refusing port");
  }
  port_ = ntohs(addr.sin_port);
}

refusing_port::~refusing_port() { close(fd_); }

std::string refusing_port::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1/chat/completions";
}

std::string replica_id(const std::string& name, const refusing_port& p) {
  return name + "@127.0.0.1:" + std::to_string(p.port());
}

testing::AssertionResult eventually(const std::function<bool()>& condition, std::chrono::milliseconds within,
                                    const std::string& what) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return testing::AssertionSuccess();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (condition()) return testing::AssertionSuccess();
  return testing::AssertionFailure() << what << " did not happen within " << within.count() << " ms";
}

}  // namespace llmd::test
