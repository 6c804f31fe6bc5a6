#include "llmd/app/reload.hpp"

#include <gtest/gtest.h>

namespace llmd::app {
namespace {

config::config running() {
  config::config c;
  c.listen_host = "0.0.0.0";
  c.listen_port = "8080";
  c.workers = 2;
  c.admin.listen_host = "127.0.0.1";
  c.admin.listen_port = "9090";
  return c;
}

TEST(keep_restart_settings, names_each_changed_setting_and_keeps_the_running_value) {
  auto next = running();
  next.listen_port = "8081";
  next.workers = 4;
  next.admin.listen_host.reset();
  next.admin.listen_port.reset();
  next.listen_tls = config::listen_tls_settings{"cert.pem", "key.pem"};
  next.queue.max_waiting = 7;
  const auto changed = keep_restart_settings(next, running());
  EXPECT_EQ(changed, (std::vector<std::string>{"listen (0.0.0.0:8080 -> 0.0.0.0:8081)", "workers (2 -> 4)",
                                               "admin.listen (127.0.0.1:9090 -> none)", "listen_tls (off -> on)"}));
  EXPECT_EQ(next.listen_port, "8080");
  EXPECT_EQ(next.workers, 2);
  EXPECT_EQ(next.admin.listen_port, "9090");
  EXPECT_FALSE(next.listen_tls);
  // What reloads is left as asked.
  EXPECT_EQ(next.queue.max_waiting, 7u);
}

TEST(keep_restart_settings, new_tls_files_are_not_a_restart) {
  auto was = running();
  was.listen_tls = config::listen_tls_settings{"old.pem", "old.key"};
  auto next = was;
  next.listen_tls = config::listen_tls_settings{"new.pem", "new.key"};
  EXPECT_TRUE(keep_restart_settings(next, was).empty());
  EXPECT_EQ(next.listen_tls->cert_file, "new.pem");
}

}  // namespace
}  // namespace llmd::app
