#include "llmd/app/config_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace llmd::app {

namespace {

// Long enough for a writer's burst (truncate, write, rename) to end; short beside "a few seconds".
constexpr auto settle_time = std::chrono::milliseconds(200);

// Whatever can replace the file's text: a write, a rename or a new link over it, a deletion and
// re-creation, the symlink of a ConfigMap's data directory swapped.
constexpr std::uint32_t watched_events =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MODIFY;

}  // namespace

config_watch::config_watch(boost::asio::io_context& io, std::string path, std::function<void()> changed)
    : path_(std::move(path)), changed_(std::move(changed)), events_(io), settling_(io) {}

config_watch::~config_watch() { stop(); }

std::optional<std::string> config_watch::read_text() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool config_watch::start(std::string& error) {
  if (watching()) return true;
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    error = std::string("inotify: ") + std::strerror(errno);
    return false;
  }
  auto directory = std::filesystem::path(path_).parent_path();
  if (directory.empty()) directory = ".";
  if (inotify_add_watch(fd, directory.c_str(), watched_events) < 0) {
    error = "cannot watch " + directory.string() + ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  events_.assign(fd);
  seen_ = read_text().value_or("");
  wait_for_events();
  return true;
}

void config_watch::stop() {
  boost::system::error_code ignored;
  events_.close(ignored);
  settling_.cancel();
  settling_armed_ = false;
}

void config_watch::wait_for_events() {
  events_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;  // stopped
    // Drain what is queued; which file an event names matters not: the text decides.
    alignas(inotify_event) std::array<char, 4096> buffer;
    while (::read(events_.native_handle(), buffer.data(), buffer.size()) > 0) {
    }
    if (!settling_armed_) {
      settling_armed_ = true;
      settling_.expires_after(settle_time);
      settling_.async_wait([this](const boost::system::error_code& wait_ec) {
        if (!wait_ec) settle();
      });
    }
    wait_for_events();
  });
}

void config_watch::settle() {
  settling_armed_ = false;
  auto text = read_text();
  // Gone for a moment (deleted before its replacement arrives): the next event tells.
  if (!text || *text == seen_) return;
  seen_ = std::move(*text);
  changed_();
}

}  // namespace llmd::app
