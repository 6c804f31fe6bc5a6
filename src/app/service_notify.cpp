#include "llmd/app/service_notify.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace llmd::app {

std::optional<notify_address> parse_notify_socket(std::string_view value) {
  notify_address a;
  a.addr.sun_family = AF_UNIX;
  // The abstract namespace: a leading NUL, and the size counts exactly the name's bytes.
  const bool abstract = value.starts_with('@');
  if (!abstract && !value.starts_with('/')) return std::nullopt;
  if (value.size() < 2 || value.size() >= sizeof(a.addr.sun_path)) return std::nullopt;
  std::memcpy(a.addr.sun_path, value.data(), value.size());
  if (abstract) a.addr.sun_path[0] = '\0';
  a.size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + value.size() + (abstract ? 0 : 1));
  return a;
}

service_notify::service_notify() {
  const char* value = std::getenv("NOTIFY_SOCKET");
  if (!value) return;
  to_ = parse_notify_socket(value);
  if (!to_) {
    spdlog::warn("NOTIFY_SOCKET '{}' is neither an absolute path nor @name: systemd is not told of readiness", value);
    return;
  }
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) spdlog::warn("NOTIFY_SOCKET: cannot open a socket: {}", std::strerror(errno));
}

service_notify::~service_notify() {
  if (fd_ >= 0) ::close(fd_);
}

void service_notify::ready(std::string_view status) const {
  send("READY=1\nSTATUS=" + std::string(status));
}

void service_notify::reloading() const {
  // systemd 253's Type=notify-reload asks for the time of the request, to tell it from an older one.
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void service_notify::stopping(std::string_view status) const {
  send("STOPPING=1\nSTATUS=" + std::string(status));
}

void service_notify::send(const std::string& message) const {
  if (fd_ < 0) return;
  const auto sent = ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                             reinterpret_cast<const sockaddr*>(&to_->addr), to_->size);
  if (sent < 0) spdlog::warn("NOTIFY_SOCKET: {}", std::strerror(errno));
}

}  // namespace llmd::app
