#include "llmd/config/chains.hpp"

#include <gtest/gtest.h>

namespace llmd::config {
namespace {

model_entry entry(const std::string& name, std::optional<std::vector<std::string>> fallbacks = {}) {
  model_entry e;
  e.name = name;
  e.fallbacks = std::move(fallbacks);
  return e;
}

using chains = std::vector<std::vector<int>>;

TEST(chains, without_declared_fallbacks_follow_file_order) {
  EXPECT_EQ(build_chains({entry("a"), entry("b"), entry("c")}), (chains{{0, 1, 2}, {1, 2}, {2}}));
}

TEST(chains, replicas_form_one_group) {
  const std::vector<model_entry> models{entry("a"), entry("b"), entry("a")};
  EXPECT_EQ(group_names(models), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(build_chains(models), (chains{{0, 1}, {1}}));
}

TEST(chains, declared_fallbacks_replace_file_order_everywhere) {
  // Once any entry declares fallbacks, a group without them has a chain of itself alone.
  EXPECT_EQ(build_chains({entry("a", {{"c"}}), entry("b"), entry("c")}), (chains{{0, 2}, {1}, {2}}));
}

TEST(chains, fallbacks_are_followed_transitively_nearest_first_each_group_once) {
  const std::vector<model_entry> models{entry("a", {{"b", "c"}}), entry("b", {{"d", "a"}}),
                                                entry("c", {{"b"}}), entry("d")};
  EXPECT_EQ(build_chains(models), (chains{{0, 1, 2, 3}, {1, 3, 0, 2}, {2, 1, 3, 0}, {3}}));
}

TEST(chains, replicas_contribute_their_fallbacks_in_order) {
  const std::vector<model_entry> models{entry("a", {{"c"}}), entry("a", {{"b", "c"}}), entry("b"),
                                                entry("c")};
  EXPECT_EQ(build_chains(models)[0], (std::vector<int>{0, 2, 1}));
}

}  // namespace
}  // namespace llmd::config
