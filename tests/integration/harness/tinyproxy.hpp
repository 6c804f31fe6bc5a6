// Debian's tinyproxy as a real HTTP CONNECT proxy for tests, on a free loopback port with a
// config of its own, stopped when the object dies.
#pragma once

#include <optional>
#include <string>

#include "process.hpp"

namespace llmd::test {

class tinyproxy {
 public:
  // With `user` and `password`, the proxy asks for them (Basic authentication).
  explicit tinyproxy(const std::string& user = "", const std::string& password = "");
  unsigned short port() const { return proc_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  // Its log: a "Request ...: CONNECT host:port" line for each tunnel asked for.
  std::string log() const;

 private:
  temp_dir dir_;
  std::optional<process> proc_;
};

}  // namespace llmd::test
