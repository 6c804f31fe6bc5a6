// parse(): the top-level `routing` map.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::messages;
using testing::parse_with;
using testing::with_models;
using enum scorer_kind;

TEST(RoutingParse, WithoutRoutingTheDefaultMixServes) {
  const auto result = parse_with(with_models(""));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->routing.policy, "default");
  EXPECT_EQ(result.value->routing.scorers, default_scorers());
}

TEST(RoutingParse, APolicyStandsForItsMix) {
  const std::vector<std::pair<std::string, std::vector<scorer_weight>>> cases = {
      {"round_robin", {}},
      {"random", {{random, 1}}},
      {"least_loaded", {{load, 1}, {slow, 0.65}}},
      {"prefix_affinity", {{prefix, 2}, {load, 1}}},
  };
  for (const auto& [policy, scorers] : cases) {
    const auto result = parse_with(with_models("routing:\n  policy: " + policy + "\n"));
    ASSERT_TRUE(result.value) << messages(result).front();
    EXPECT_EQ(result.value->routing.policy, policy);
    EXPECT_EQ(result.value->routing.scorers, scorers) << policy;
  }
}

TEST(RoutingParse, ScorersSpellOutAMixAndZeroLeavesOneOut) {
  const auto result = parse_with(with_models("routing:\n  scorers: {load: 2, random: 0.5, slow: 0}\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->routing.policy, "scorers");
  EXPECT_EQ(result.value->routing.scorers, (std::vector<scorer_weight>{{load, 2}, {random, 0.5}}));
}

TEST(RoutingParse, PrefixSettings) {
  const auto defaults = parse_with(with_models(""));
  ASSERT_TRUE(defaults.value) << messages(defaults).front();
  EXPECT_EQ(defaults.value->routing.prefix, prefix_settings{});
  EXPECT_TRUE(defaults.value->routing.uses(prefix));
  const auto result = parse_with(with_models(
      "routing:\n  policy: prefix_affinity\n  prefix: {block_size: 64, max_entries: 1000, guard_factor: 1.5, "
      "guard_margin: 0}\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  const prefix_settings expected{.block_size = 64, .max_entries = 1000, .guard_factor = 1.5, .guard_margin = 0};
  EXPECT_EQ(result.value->routing.prefix, expected);
  const auto without = parse_with(with_models("routing:\n  policy: least_loaded\n"));
  ASSERT_TRUE(without.value);
  EXPECT_FALSE(without.value->routing.uses(prefix));
}

TEST(RoutingParse, SessionHeader) {
  const auto defaults = parse_with(with_models(""));
  ASSERT_TRUE(defaults.value);
  EXPECT_EQ(defaults.value->routing.session_header, "x-session-id");
  const auto named = parse_with(with_models("routing:\n  session_header: x-conversation\n"));
  ASSERT_TRUE(named.value) << messages(named).front();
  EXPECT_EQ(named.value->routing.session_header, "x-conversation");
  const auto off = parse_with(with_models("routing:\n  session_header: \"\"\n"));
  ASSERT_TRUE(off.value) << messages(off).front();
  EXPECT_EQ(off.value->routing.session_header, "");
}

TEST(RoutingParse, MistakesAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"routing: fast", "routing: must be a map (line 4)"},
      {"routing:\n  policy: fastest",
       "routing.policy: unknown routing policy \"fastest\"; known policies: round_robin, random, least_loaded, "
       "prefix_affinity (line 5)"},
      {"routing:\n  scorers: {load: 1, magic: 2}",
       "routing.scorers.magic: unknown scorer \"magic\"; known scorers: load, slow, random, prefix, queue, kv_cache (line 5)"},
      {"routing:\n  scorers: {load: -1}", "routing.scorers.load: must be a number of 0 or more such as 1 or 0.5 (line 5)"},
      {"routing:\n  policy: random\n  scorers: {load: 1}",
       "routing.scorers: set either routing.policy or routing.scorers, not both (line 6)"},
      {"routing:\n  weights: {}", "routing.weights: unknown key (line 5)"},
      {"routing:\n  prefix: {block_size: 0}", "routing.prefix.block_size: must be a positive integer (line 5)"},
      {"routing:\n  prefix: {size: 1}", "routing.prefix.size: unknown key (line 5)"},
  };
  for (const auto& [yaml, expected] : cases) {
    const auto result = parse_with(with_models(yaml + "\n"));
    EXPECT_FALSE(result.value) << yaml;
    EXPECT_EQ(messages(result), std::vector<std::string>{expected}) << yaml;
  }
}

}  // namespace
}  // namespace llmd::config
