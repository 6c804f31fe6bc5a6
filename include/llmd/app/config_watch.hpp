// watch_config: notices when the config file changes, through inotify on the file's directory, so
// that an editor's save, a `mv` over the file and a Kubernetes ConfigMap update (a symlink swapped
// in the directory) all count. Events come in bursts: after the first, it waits a moment for the
// rest, then reads the file and calls `changed` only when the text differs from what it last saw.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <optional>
#include <string>

namespace llmd::app {

class config_watch {
 public:
  config_watch(boost::asio::io_context& io, std::string path, std::function<void()> changed);
  ~config_watch();
  config_watch(const config_watch&) = delete;
  config_watch& operator=(const config_watch&) = delete;

  // Starts watching, taking the file's text now as the text last seen; false with `error` set
  // when inotify refuses.
  bool start(std::string& error);
  void stop();
  bool watching() const { return events_.is_open(); }

 private:
  void wait_for_events();
  void settle();
  // The file's text; nullopt when it cannot be read now.
  std::optional<std::string> read_text() const;

  std::string path_;
  std::function<void()> changed_;
  boost::asio::posix::stream_descriptor events_;
  boost::asio::steady_timer settling_;
  bool settling_armed_ = false;
  std::string seen_;
};

}  // namespace llmd::app
