// parse(): the warnings about fallback chains, a lone replica with nothing behind it and a fallback
// with fewer slots than a group it backs up. They never make a file invalid.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::lines;
using testing::messages;
using testing::parse_with;

// The warnings of a file that must be valid.
std::vector<std::string> warnings_of(const std::string& yaml) {
  const auto result = parse_with(yaml);
  EXPECT_TRUE(result.value) << (result.problems.empty() ? "" : messages(result).front());
  std::vector<std::string> out;
  for (const auto& w : result.warnings) out.push_back(w.to_string());
  return out;
}

// An entry of group `name` on port `port` of host h, with `slots` max_concurrent and `extra` lines.
std::string entry(const std::string& name, int port, int slots, const std::string& extra = "") {
  return "  - name: " + name + "\n    endpoint: http://h:" + std::to_string(port) +
         "\n    max_concurrent: " + std::to_string(slots) + "\n" + extra;
}

std::string lone(const std::string& name, int index, int line) {
  return "models[" + std::to_string(index) + "]: group '" + name +
         "' has one replica and no fallback: one failure from an outage (line " + std::to_string(line) + ")";
}

TEST(chain_warnings, a_lone_replica_with_no_fallback_is_one_failure_from_an_outage) {
  EXPECT_EQ(warnings_of("models:\n" + entry("solo", 1, 4)), lines{lone("solo", 0, 2)});
}

TEST(chain_warnings, a_second_replica_or_a_fallback_is_enough) {
  EXPECT_EQ(warnings_of("models:\n" + entry("m", 1, 4) + entry("m", 2, 4) + "  - name: x\n    endpoint: http://h:3\n"
                        "    max_concurrent: 4\n    fallbacks: [m]\n"),
            lines{});
}

TEST(chain_warnings, follow_the_file_order_chain_where_no_fallbacks_are_declared) {
  // `first` falls back to `last`, which has nowhere to go.
  EXPECT_EQ(warnings_of("models:\n" + entry("first", 1, 4) + entry("last", 2, 4)), lines{lone("last", 1, 5)});
}

TEST(chain_warnings, follow_declared_fallbacks_where_there_are_some) {
  // Declaring fallbacks anywhere leaves `b` without one.
  EXPECT_EQ(warnings_of("models:\n" + entry("a", 1, 4, "    fallbacks: [c]\n") + entry("b", 2, 4) + entry("c", 3, 8)),
            (lines{lone("b", 1, 6), lone("c", 2, 9)}));
}

TEST(chain_warnings, a_fallback_with_fewer_slots_names_both_groups_and_their_slots) {
  // `big` has 16 + 8 slots over two replicas; `small` backs it up with 4, `cloud` (behind small) with 100.
  const auto said = warnings_of("models:\n" + entry("big", 1, 16, "    fallbacks: [small]\n") +
                                entry("big", 2, 8, "    fallbacks: [small]\n") +
                                entry("small", 3, 4, "    fallbacks: [cloud]\n") + entry("cloud", 4, 100));
  EXPECT_EQ(said, (lines{"models[2]: fallback group 'small' (4 slots) backs up group 'big' (24 slots) with fewer "
                         "slots: it cannot take that group's load (line 10)",
                         lone("cloud", 3, 14)}));
}

TEST(chain_warnings, count_every_group_of_the_chain_not_only_the_next) {
  const auto said = warnings_of("models:\n" + entry("a", 1, 8, "    fallbacks: [b]\n") +
                                entry("b", 2, 8, "    fallbacks: [c]\n") + entry("c", 3, 2) + entry("c", 4, 2));
  EXPECT_EQ(said, (lines{"models[2]: fallback group 'c' (4 slots) backs up group 'a' (8 slots) with fewer slots: it "
                         "cannot take that group's load (line 10)",
                         "models[2]: fallback group 'c' (4 slots) backs up group 'b' (8 slots) with fewer slots: it "
                         "cannot take that group's load (line 10)"}));
}

TEST(chain_warnings, as_many_slots_behind_is_enough) {
  EXPECT_EQ(warnings_of("models:\n" + entry("a", 1, 8, "    fallbacks: [b]\n") + entry("a", 2, 8) +
                        entry("b", 3, 15) + entry("b", 4, 1)),
            lines{});
}

TEST(chain_warnings, wait_until_the_file_has_no_problems) {
  const auto result = parse_with("models:\n" + entry("solo", 1, 4, "    weight: 0\n"));
  EXPECT_FALSE(result.value);
  EXPECT_EQ(result.warnings.size(), 0u);
}

TEST(chain_warnings, never_make_a_file_invalid) {
  const auto result = parse_with("models:\n" + entry("big", 1, 64) + entry("tiny", 2, 1));
  ASSERT_TRUE(result.value);
  EXPECT_TRUE(result.problems.empty());
  EXPECT_EQ(result.warnings.size(), 2u);
}

}  // namespace
}  // namespace llmd::config
