// parse(): the top-level `admin` map, `watch_config` and the renamed limit.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::lines;
using testing::messages;
using testing::parse_with;
using testing::with_models;

// The problems and warnings of a file, all as text.
std::string everything_said(const parse_result& result) {
  std::string out;
  for (const auto& p : result.problems) out += p.to_string() + "\n";
  for (const auto& w : result.warnings) out += w.to_string() + "\n";
  return out;
}

TEST(admin_settings, are_unset_without_an_admin_map) {
  const auto result = parse_with(with_models(""));
  ASSERT_TRUE(result.value);
  EXPECT_EQ(result.value->admin.key, std::nullopt);
  EXPECT_EQ(result.value->admin.listen_host, std::nullopt);
  EXPECT_EQ(result.value->admin.listen_port, std::nullopt);
  EXPECT_TRUE(parse_with(with_models("admin: {}\n")).value);
}

TEST(admin_settings, take_a_key_and_a_listener_of_their_own) {
  const auto result = parse_with(with_models("admin:\n  key: s3cret\n  listen: 127.0.0.1:9090\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->admin.key, "s3cret");
  EXPECT_EQ(result.value->admin.listen_host, "127.0.0.1");
  EXPECT_EQ(result.value->admin.listen_port, "9090");
  const auto v6 = parse_with(with_models("admin: {listen: \"[::1]:9090\"}\n"));
  ASSERT_TRUE(v6.value) << messages(v6).front();
  EXPECT_EQ(v6.value->admin.listen_host, "::1");
  EXPECT_EQ(v6.value->admin.key, std::nullopt);
}

TEST(admin_settings, the_key_comes_from_the_environment_like_an_api_key) {
  const auto result = parse_with(with_models("admin:\n  key: ${LLMD_ADMIN_KEY}\n"), {{"LLMD_ADMIN_KEY", "from-env"}});
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->admin.key, "from-env");
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  key: ${LLMD_ADMIN_KEY}\n"))),
            lines{"admin.key: environment variable LLMD_ADMIN_KEY is not set (line 5)"});
}

TEST(admin_settings, the_key_must_be_usable_as_a_header_value) {
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  key: \"\"\n"))),
            lines{"admin.key: must not be empty (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  key:\n"))), lines{"admin.key: must not be empty (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  key: \"a\\nb\"\n"))),
            lines{"admin.key: must not contain CR, LF or other control characters (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  key: [a]\n"))), lines{"admin.key: must be a string (line 5)"});
}

TEST(admin_settings, the_key_is_never_repeated_in_what_the_check_says) {
  const auto result = parse_with(with_models("admin:\n  key: \"hunter2\\x01\"\n  listen: 0.0.0.0:8080\n  port: 1\n"));
  EXPECT_FALSE(result.value);
  const auto said = everything_said(result);
  EXPECT_NE(said.find("admin.key"), std::string::npos) << said;
  EXPECT_EQ(said.find("hunter2"), std::string::npos) << said;
}

TEST(admin_settings, listen_is_host_and_port_like_listen) {
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  listen: localhost\n"))),
            lines{"admin.listen: must be HOST:PORT such as 0.0.0.0:8080 or \"[::1]:8080\" (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  listen: h:70000\n"))),
            lines{"admin.listen: port must be a number from 0 to 65535 (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  token: x\n"))), lines{"admin.token: unknown key (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("admin: 9090\n"))), lines{"admin: must be a map (line 4)"});
}

TEST(admin_settings, listen_must_differ_from_listen) {
  EXPECT_EQ(messages(parse_with(with_models("listen: 127.0.0.1:8080\nadmin:\n  listen: 127.0.0.1:8080\n"))),
            lines{"admin.listen: must differ from listen (127.0.0.1:8080) (line 6)"});
  // The default listen is every address on 8080.
  EXPECT_EQ(messages(parse_with(with_models("admin:\n  listen: 127.0.0.1:8080\n"))),
            lines{"admin.listen: must differ from listen (0.0.0.0:8080) (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("listen: \"[::1]:9000\"\nadmin:\n  listen: \"[::]:9000\"\n"))),
            lines{"admin.listen: must differ from listen ([::1]:9000) (line 6)"});
  EXPECT_TRUE(parse_with(with_models("listen: 127.0.0.1:8080\nadmin:\n  listen: 127.0.0.2:8080\n")).value);
  EXPECT_TRUE(parse_with(with_models("admin:\n  listen: 0.0.0.0:8081\n")).value);
  // Port 0: each gets a free port of its own.
  EXPECT_TRUE(parse_with(with_models("listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n")).value);
}

TEST(watch_config, is_off_unless_set) {
  const auto off = parse_with(with_models(""));
  ASSERT_TRUE(off.value);
  EXPECT_FALSE(off.value->watch_config);
  const auto on = parse_with(with_models("watch_config: true\n"));
  ASSERT_TRUE(on.value) << messages(on).front();
  EXPECT_TRUE(on.value->watch_config);
  EXPECT_EQ(messages(parse_with(with_models("watch_config: yes\n"))),
            lines{"watch_config: must be true or false (line 4)"});
}

TEST(limits, client_header_timeout_alone_is_warned_of_its_new_meaning) {
  const auto old = parse_with(with_models("limits:\n  client_header_timeout: 30s\n"));
  ASSERT_TRUE(old.value);
  EXPECT_NE(everything_said(old).find("limits.client_header_timeout: now bounds the request head alone"),
            std::string::npos)
      << everything_said(old);
  const auto current = parse_with(
      with_models("limits:\n  client_header_timeout: 5s\n  client_body_timeout: 30s\n  client_send_timeout: 30s\n"));
  ASSERT_TRUE(current.value);
  EXPECT_EQ(everything_said(current).find("client_header_timeout"), std::string::npos) << everything_said(current);
}

}  // namespace
}  // namespace llmd::config
