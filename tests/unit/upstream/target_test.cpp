#include "llmd/upstream/target.hpp"

#include <gtest/gtest.h>

namespace {

using llmd::config::model_entry;

model_entry entry(const std::string& scheme, const std::string& host, const std::string& port) {
  model_entry e;
  e.name = host;
  e.url = {.scheme = scheme, .host = host, .port = port, .root = "/v1", .query = ""};
  return e;
}

llmd::config::config with(std::vector<model_entry> entries) {
  llmd::config::config cfg;
  cfg.models = std::move(entries);
  return cfg;
}

TEST(targets, entries_that_connect_the_same_way_share_a_pool) {
  auto cfg = with({entry("http", "a", "80"), entry("http", "b", "80"), entry("http", "a", "80"),
                   entry("https", "a", "80")});
  std::string error;
  const auto made = llmd::upstream::targets::make(cfg, error);
  ASSERT_TRUE(made) << error;
  EXPECT_EQ(made->pools(), 3u);
  EXPECT_EQ(made->of(cfg.models[0]).pool, made->of(cfg.models[2]).pool);
  EXPECT_NE(made->of(cfg.models[0]).pool, made->of(cfg.models[1]).pool);
  EXPECT_NE(made->of(cfg.models[0]).pool, made->of(cfg.models[3]).pool);
  EXPECT_EQ(made->of(cfg.models[0]).tls, nullptr);
  EXPECT_NE(made->of(cfg.models[3]).tls, nullptr);
}

TEST(targets, other_tls_settings_or_another_proxy_make_another_pool) {
  auto plain = entry("https", "api", "443");
  auto named = plain;
  named.tls.server_name = "other.example";
  auto proxied = plain;
  proxied.proxy = llmd::config::proxy_settings{.host = "proxy", .port = "3128", .authorization = ""};
  auto cfg = with({plain, named, proxied, plain});
  std::string error;
  const auto made = llmd::upstream::targets::make(cfg, error);
  ASSERT_TRUE(made) << error;
  EXPECT_EQ(made->pools(), 3u);
  EXPECT_EQ(made->of(cfg.models[0]).pool, made->of(cfg.models[3]).pool);
  EXPECT_EQ(made->of(cfg.models[0]).server_name, "api");
  EXPECT_EQ(made->of(cfg.models[1]).server_name, "other.example");
  // One context per distinct settings: the proxied entry's TLS is the plain one's.
  EXPECT_EQ(made->of(cfg.models[0]).tls, made->of(cfg.models[2]).tls);
  EXPECT_NE(made->of(cfg.models[0]).tls, made->of(cfg.models[1]).tls);
  EXPECT_NE(made->of(cfg.models[2]).proxy, nullptr);
}

TEST(targets, a_ca_file_that_does_not_load_is_an_error_naming_the_entry) {
  auto broken = entry("https", "api", "443");
  broken.tls.ca_file = "/nonexistent/ca.pem";
  auto cfg = with({entry("http", "a", "80"), broken});
  std::string error;
  EXPECT_FALSE(llmd::upstream::targets::make(cfg, error));
  EXPECT_NE(error.find("models[1].tls"), std::string::npos) << error;
  EXPECT_NE(error.find("/nonexistent/ca.pem"), std::string::npos) << error;
}

}  // namespace
