#include "llmd/app/cli.hpp"

#include <gtest/gtest.h>

namespace llmd::app {
namespace {

TEST(cli, options_parse) {
  const auto p = parse_options({"-c", "a.yaml", "--listen", "127.0.0.1:9000", "--log-level", "debug"});
  ASSERT_TRUE(p.error.empty());
  EXPECT_EQ(p.value.config_path, "a.yaml");
  EXPECT_EQ(p.value.listen, "127.0.0.1:9000");
  EXPECT_EQ(p.value.log_level, "debug");
  EXPECT_EQ(parse_options({"--check-config", "x.yaml"}).value.check_config, "x.yaml");
  EXPECT_TRUE(parse_options({"--version"}).value.version);
  EXPECT_TRUE(parse_options({"-h"}).value.help);
}

TEST(cli, bad_arguments_are_named) {
  EXPECT_EQ(parse_options({"--config"}).error, "--config needs a value");
  EXPECT_EQ(parse_options({"--frobnicate"}).error, "unknown argument: --frobnicate");
}

TEST(cli, host_and_port_split) {
  std::string host, port;
  ASSERT_TRUE(split_host_port("0.0.0.0:8080", host, port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, "8080");
  ASSERT_TRUE(split_host_port("[::1]:0", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, "0");
  for (const char* bad : {"8080", ":8080", "host:", "host:65536", "host:8o", "[::1]8080", "[::1"}) {
    EXPECT_FALSE(split_host_port(bad, host, port)) << bad;
  }
}

}  // namespace
}  // namespace llmd::app
