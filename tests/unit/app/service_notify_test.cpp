#include "llmd/app/service_notify.hpp"

#include <cstddef>
#include <gtest/gtest.h>
#include <string>

namespace llmd::app {
namespace {

TEST(notify_socket_address, a_path_keeps_its_terminating_nul) {
  const auto a = parse_notify_socket("/run/systemd/notify");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->addr.sun_family, AF_UNIX);
  EXPECT_STREQ(a->addr.sun_path, "/run/systemd/notify");
  EXPECT_EQ(a->size, offsetof(sockaddr_un, sun_path) + std::string("/run/systemd/notify").size() + 1);
}

TEST(notify_socket_address, an_at_sign_names_the_abstract_namespace_without_a_nul) {
  const auto a = parse_notify_socket("@llm-d/notify");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->addr.sun_path[0], '\0');
  EXPECT_EQ(std::string(a->addr.sun_path + 1, 12), "llm-d/notify");
  EXPECT_EQ(a->size, offsetof(sockaddr_un, sun_path) + 13);
}

TEST(notify_socket_address, refuses_what_is_neither) {
  EXPECT_FALSE(parse_notify_socket(""));
  EXPECT_FALSE(parse_notify_socket("@"));
  EXPECT_FALSE(parse_notify_socket("/"));
  EXPECT_FALSE(parse_notify_socket("run/notify"));
  EXPECT_FALSE(parse_notify_socket("vsock:2:1234"));
  EXPECT_FALSE(parse_notify_socket("/" + std::string(sizeof(sockaddr_un::sun_path), 'a')));
  EXPECT_TRUE(parse_notify_socket("/" + std::string(sizeof(sockaddr_un::sun_path) - 2, 'a')));
}

}  // namespace
}  // namespace llmd::app
