// systemd's Type=notify: llm-d tells the socket in NOTIFY_SOCKET when it is ready, reloading and
// stopping. The test owns the socket, as systemd would.
#include <gtest/gtest.h>

#include <csignal>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

// An AF_UNIX datagram socket bound to a path, or to "@name" in the abstract namespace.
class notify_socket {
 public:
  explicit notify_socket(const std::string& name) : name_(name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    name.copy(a.sun_path, sizeof(a.sun_path) - 1);
    auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name.starts_with('@')) {
      a.sun_path[0] = '\0';
    } else {
      size += 1;
    }
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), size) != 0) {
      throw std::runtime_error("cannot bind the notify socket " + name);
    }
  }
  ~notify_socket() { ::close(fd_); }
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  std::string env() const { return "NOTIFY_SOCKET=" + name_; }

  // The next datagram, or "" when none comes within `within`.
  std::string next(std::chrono::milliseconds within = 10s) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(within.count())) != 1) return "";
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  }

 private:
  std::string name_;
  int fd_ = -1;
};

bool has_line(const std::string& message, const std::string& line) {
  return ("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos;
}

std::string one_model(const mock& m) { return "models:\n  - name: m\n    endpoint: " + m.endpoint() + "\n"; }

TEST(service_notify, says_ready_once_listening_and_stopping_when_it_drains) {
  mock m("m");
  temp_dir dir;
  const notify_socket systemd(dir.path() + "/notify");
  gateway llmd(one_model(m), {}, {systemd.env()});

  const auto ready = systemd.next();
  ASSERT_TRUE(has_line(ready, "READY=1")) << ready;
  EXPECT_NE(ready.find("STATUS=serving 1 model group(s) on 127.0.0.1:" + std::to_string(llmd.port())), std::string::npos)
      << ready;
  EXPECT_EQ(llmd.get("/ready").status, 200u) << "the listener is up when READY=1 comes";
  EXPECT_EQ(systemd.next(300ms), "") << "one READY=1, nothing more while it serves";

  llmd.proc().signal(SIGTERM);
  const auto stopping = systemd.next();
  EXPECT_TRUE(has_line(stopping, "STOPPING=1")) << stopping;
  EXPECT_EQ(llmd.proc().signal_and_wait(0, 10s), 0);
}

TEST(service_notify, brackets_a_reload_with_reloading_and_ready) {
  mock m("m");
  mock other("other");
  temp_dir dir;
  const notify_socket systemd(dir.path() + "/notify");
  gateway llmd(one_model(m), {}, {systemd.env()});
  ASSERT_TRUE(has_line(systemd.next(), "READY=1"));

  llmd.reload(one_model(m) + "  - name: other\n    endpoint: " + other.endpoint() + "\n");
  const auto reloading = systemd.next();
  EXPECT_TRUE(has_line(reloading, "RELOADING=1")) << reloading;
  EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
  const auto reloaded = systemd.next();
  EXPECT_TRUE(has_line(reloaded, "READY=1")) << reloaded;
  EXPECT_NE(reloaded.find("STATUS=serving 2 model group(s)"), std::string::npos) << reloaded;

  llmd.reload("models: []\n");
  EXPECT_TRUE(has_line(systemd.next(), "RELOADING=1"));
  const auto refused = systemd.next();
  EXPECT_TRUE(has_line(refused, "READY=1")) << "systemd must leave the reloading state: " << refused;
  EXPECT_NE(refused.find("STATUS=the config reload was refused: serving 2 model group(s)"), std::string::npos)
      << refused;
}

TEST(service_notify, reaches_a_socket_in_the_abstract_namespace) {
  mock m("m");
  const notify_socket systemd("@llmd-notify-test-" + std::to_string(::getpid()));
  gateway llmd(one_model(m), {}, {systemd.env()});
  EXPECT_TRUE(has_line(systemd.next(), "READY=1"));
}

TEST(service_notify, a_socket_it_cannot_use_is_ignored) {
  mock m("m");
  gateway llmd(one_model(m), {}, {"NOTIFY_SOCKET=relative/path"});
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_NE(llmd.proc().log().find("NOTIFY_SOCKET 'relative/path' is neither"), std::string::npos);
}

}  // namespace
}  // namespace llmd::test
