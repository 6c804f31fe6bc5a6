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

std::size_t pool_of(const llmd::upstream::targets& made, const llmd::config::config& cfg, std::size_t entry) {
  return made.of(cfg.models[entry]).pool.index;
}

TEST(targets, entries_that_connect_the_same_way_share_a_pool) {
  auto cfg = with({entry("http", "a", "80"), entry("http", "b", "80"), entry("http", "a", "80"),
                   entry("https", "a", "80")});
  std::string error;
  llmd::upstream::pool_directory directory(2);
  const auto made = llmd::upstream::targets::make(cfg, directory, error);
  ASSERT_TRUE(made) << error;
  EXPECT_EQ(pool_of(*made, cfg, 0), pool_of(*made, cfg, 2));
  EXPECT_NE(pool_of(*made, cfg, 0), pool_of(*made, cfg, 1));
  EXPECT_NE(pool_of(*made, cfg, 0), pool_of(*made, cfg, 3));
  EXPECT_EQ(made->of(cfg.models[0]).pool.counts, made->of(cfg.models[2]).pool.counts);
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
  llmd::upstream::pool_directory directory(1);
  const auto made = llmd::upstream::targets::make(cfg, directory, error);
  ASSERT_TRUE(made) << error;
  EXPECT_EQ(pool_of(*made, cfg, 0), pool_of(*made, cfg, 3));
  EXPECT_NE(pool_of(*made, cfg, 0), pool_of(*made, cfg, 1));
  EXPECT_NE(pool_of(*made, cfg, 0), pool_of(*made, cfg, 2));
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
  llmd::upstream::pool_directory directory(1);
  EXPECT_FALSE(llmd::upstream::targets::make(cfg, directory, error));
  EXPECT_NE(error.find("models[1].tls"), std::string::npos) << error;
  EXPECT_NE(error.find("/nonexistent/ca.pem"), std::string::npos) << error;
}

TEST(targets, a_later_config_finds_the_pools_of_the_servers_that_stay) {
  llmd::upstream::pool_directory directory(2);
  std::string error;
  auto first_cfg = with({entry("http", "a", "80"), entry("http", "b", "80")});
  const auto first = llmd::upstream::targets::make(first_cfg, directory, error);
  auto second_cfg = with({entry("http", "c", "80"), entry("http", "b", "80")});
  const auto second = llmd::upstream::targets::make(second_cfg, directory, error);
  ASSERT_TRUE(first && second) << error;
  EXPECT_EQ(pool_of(*second, second_cfg, 1), pool_of(*first, first_cfg, 1));
  EXPECT_EQ(second->of(second_cfg.models[1]).pool.counts, first->of(first_cfg.models[1]).pool.counts);
  EXPECT_NE(pool_of(*second, second_cfg, 0), pool_of(*first, first_cfg, 0));
  EXPECT_NE(pool_of(*second, second_cfg, 0), pool_of(*first, first_cfg, 1));
}

}  // namespace
