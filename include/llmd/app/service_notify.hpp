// systemd's readiness protocol (sd_notify(3)), without libsystemd: under Type=notify, systemd
// names an AF_UNIX datagram socket in NOTIFY_SOCKET and llm-d sends it one datagram of
// "KEY=VALUE" lines per change of state: READY=1 once it listens, RELOADING=1 and READY=1 around a
// reload, STOPPING=1 when it drains. Without NOTIFY_SOCKET every call does nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>

namespace llmd::app {

struct notify_address {
  sockaddr_un addr{};
  socklen_t size = 0;
};

// NOTIFY_SOCKET's value: an absolute path, or "@name" for Linux's abstract namespace. nullopt for
// anything else (empty, relative, too long for sockaddr_un).
std::optional<notify_address> parse_notify_socket(std::string_view value);

class service_notify {
 public:
  // From NOTIFY_SOCKET; a value it cannot use is logged once and ignored.
  service_notify();
  ~service_notify();
  service_notify(const service_notify&) = delete;
  service_notify& operator=(const service_notify&) = delete;

  void ready(std::string_view status) const;
  void reloading() const;
  void stopping(std::string_view status) const;

 private:
  // One datagram, never blocking: a full or vanished socket loses the message, not the daemon.
  void send(const std::string& message) const;

  std::optional<notify_address> to_;
  int fd_ = -1;
};

}  // namespace llmd::app
