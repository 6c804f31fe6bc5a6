// parse(): every entry's replica id, written as `id` or derived from its name and endpoint, and the
// problems of entries that repeat an endpoint or an id.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::lines;
using testing::messages;
using testing::parse_with;

// The ids of a file that must be valid.
std::vector<std::string> ids_of(const std::string& yaml, testing::env_map env = {}) {
  const auto result = parse_with(yaml, std::move(env));
  EXPECT_TRUE(result.value) << (result.problems.empty() ? "" : messages(result).front());
  std::vector<std::string> out;
  if (result.value) {
    for (const auto& m : result.value->models) out.push_back(m.id);
  }
  return out;
}

std::string entry(const std::string& name, const std::string& endpoint, const std::string& extra = "") {
  return "  - name: " + name + "\n    endpoint: " + endpoint + "\n" + extra;
}

TEST(replica_ids, are_the_name_at_host_and_port_by_default) {
  EXPECT_EQ(ids_of("models:\n" + entry("chat", "http://gpu-1:8001/v1/chat/completions") +
                   entry("chat", "http://gpu-2:8001") + entry("cloud", "https://api.openai.com/v1")),
            (lines{"chat@gpu-1:8001", "chat@gpu-2:8001", "cloud@api.openai.com:443"}));
}

TEST(replica_ids, end_with_the_root_when_it_is_not_v1) {
  EXPECT_EQ(ids_of("models:\n" +
                   entry("gpt4", "https://myres.openai.azure.com/openai/deployments/gpt4?api-version=2024-10-21") +
                   entry("embed", "http://gateway.internal/openai/v1/")),
            (lines{"gpt4@myres.openai.azure.com:443/openai/deployments/gpt4", "embed@gateway.internal:80/openai/v1"}));
}

TEST(replica_ids, put_an_ipv6_host_in_brackets) {
  EXPECT_EQ(ids_of("models:\n" + entry("local", "http://[::1]:8002/v1")), lines{"local@[::1]:8002"});
}

TEST(replica_ids, never_show_the_endpoints_query) {
  EXPECT_EQ(ids_of("models:\n" + entry("gemini", "https://g.example/v1beta/openai?key=secret")),
            lines{"gemini@g.example:443/v1beta/openai"});
}

TEST(replica_ids, do_not_change_when_other_entries_come_and_go) {
  const auto before = ids_of("models:\n" + entry("chat", "http://a:1") + entry("chat", "http://b:1") +
                             entry("small", "http://c:1"));
  const auto after = ids_of("models:\n" + entry("new", "http://d:1") + entry("chat", "http://b:1") +
                            entry("small", "http://c:1"));
  EXPECT_EQ(before[1], after[1]);
  EXPECT_EQ(before[2], after[2]);
  EXPECT_EQ(after[1], "chat@b:1");
}

TEST(replica_ids, an_id_as_written_replaces_the_derived_one) {
  EXPECT_EQ(ids_of("models:\n" + entry("chat", "http://a:1", "    id: chat-a\n") + entry("chat", "http://b:1") +
                   entry("x", "http://c:1", "    id: ${REPLICA}\n"),
                   {{"REPLICA", "rack-2/gpu#3"}}),
            (lines{"chat-a", "chat@b:1", "rack-2/gpu#3"}));
}

TEST(replica_ids, an_id_as_written_holds_only_safe_characters) {
  const std::string ok = std::string(128, 'a');
  EXPECT_EQ(ids_of("models:\n" + entry("m", "http://h", "    id: " + ok + "\n")), lines{ok});
  EXPECT_EQ(ids_of("models:\n" + entry("m", "http://h", "    id: A-z0.9_:@/#-\n")), lines{"A-z0.9_:@/#-"});
  // A derived id pinned as it is, IPv6 brackets included.
  EXPECT_EQ(ids_of("models:\n" + entry("m", "http://h", "    id: \"m@[::1]:8002\"\n")), lines{"m@[::1]:8002"});
  const std::string rule = "must be 1 to 128 characters among A-Z a-z 0-9 . _ : @ / # - [ ] (line 4)";
  for (const std::string& bad : std::vector<std::string>{"\"two words\"", "'say\"hi\"'", "\"it's\"",
                                                        std::string(129, 'a'), "\"a,b\"", "\"caf\xc3\xa9\"",
                                                        "\"tab\\there\""}) {
    EXPECT_EQ(messages(parse_with("models:\n" + entry("m", "http://h", "    id: " + bad + "\n"))),
              lines{"models[0].id: " + rule})
        << bad;
  }
  EXPECT_EQ(messages(parse_with("models:\n" + entry("m", "http://h", "    id: \"\"\n"))),
            lines{"models[0].id: must not be empty (line 4)"});
  EXPECT_EQ(messages(parse_with("models:\n" + entry("m", "http://h", "    id: [a]\n"))),
            lines{"models[0].id: must be a string (line 4)"});
}

TEST(replica_ids, a_derived_id_that_would_not_be_safe_asks_for_an_id) {
  EXPECT_EQ(messages(parse_with("models:\n" + entry("\"my model\"", "http://h:1"))),
            lines{"models[0]: the id derived from name and endpoint, \"my model@h:1\", may hold only A-Z a-z 0-9 . _ "
                  ": @ / # - [ ]: set id (line 2)"});
  EXPECT_EQ(messages(parse_with("models:\n" + entry("m", "http://h:1/api~v2"))),
            lines{"models[0]: the id derived from name and endpoint, \"m@h:1/api~v2\", may hold only A-Z a-z 0-9 . _ "
                  ": @ / # - [ ]: set id (line 2)"});
  const std::string long_name(125, 'n');  // with "@h:1", one character too many
  EXPECT_EQ(messages(parse_with("models:\n" + entry(long_name, "http://h:1"))),
            lines{"models[0]: the id derived from name and endpoint, \"" + long_name +
                  "@h:1\", is longer than 128 characters: set id (line 2)"});
  EXPECT_EQ(ids_of("models:\n" + entry("\"my model\"", "http://h:1", "    id: my-model\n")), lines{"my-model"});
}

TEST(replica_ids, one_endpoint_twice_in_a_group_is_a_problem_naming_both_lines) {
  EXPECT_EQ(messages(parse_with("models:\n" + entry("chat", "http://gpu-1:8001/v1") + entry("chat", "http://b:1") +
                                entry("chat", "http://GPU-1:8001/v1/chat/completions", "    id: again\n"))),
            lines{"models[2]: group \"chat\" already has this endpoint at models[0] (line 2): list each replica "
                  "once (line 6)"});
}

TEST(replica_ids, one_endpoint_in_two_groups_is_two_replicas) {
  EXPECT_EQ(ids_of("models:\n" + entry("chat", "http://h:1") + entry("code", "http://h:1")),
            (lines{"chat@h:1", "code@h:1"}));
}

TEST(replica_ids, endpoints_that_differ_only_in_their_query_need_an_id) {
  const auto twice = "models:\n" + entry("gpt", "https://r.example/openai/deployments/d?api-version=1") +
                     entry("gpt", "https://r.example/openai/deployments/d?api-version=2");
  EXPECT_EQ(messages(parse_with(twice)),
            lines{"models[1]: id \"gpt@r.example:443/openai/deployments/d\" is already that of models[0] (line 2): "
                  "set a different id on one of them (derived from name and endpoint) (line 4)"});
  const auto with_id = "models:\n" + entry("gpt", "https://r.example/openai/deployments/d?api-version=1") +
                       entry("gpt", "https://r.example/openai/deployments/d?api-version=2", "    id: gpt-v2\n");
  EXPECT_EQ(ids_of(with_id), (lines{"gpt@r.example:443/openai/deployments/d", "gpt-v2"}));
}

TEST(replica_ids, two_entries_with_one_id_are_a_problem_naming_both_lines) {
  EXPECT_EQ(messages(parse_with("models:\n" + entry("a", "http://h:1", "    id: same\n") +
                                entry("b", "http://h:2", "    id: same\n"))),
            lines{"models[1].id: id \"same\" is already that of models[0] (line 2): set a different id on one of "
                  "them (line 7)"});
  // A written id may take another entry's derived one.
  EXPECT_EQ(messages(parse_with("models:\n" + entry("a", "http://h:1") + entry("b", "http://h:2", "    id: a@h:1\n"))),
            lines{"models[1].id: id \"a@h:1\" is already that of models[0] (line 2): set a different id on one of "
                  "them (line 6)"});
}

TEST(replica_ids, the_rule_is_public_for_whoever_builds_entries_by_hand) {
  const upstream_url v6{.scheme = "https", .host = "fe80::1", .port = "8443", .root = "/api", .query = "k=v"};
  EXPECT_EQ(derived_replica_id("m", v6), "m@[fe80::1]:8443/api");
  EXPECT_TRUE(is_replica_id(derived_replica_id("m", v6)));
  EXPECT_TRUE(is_replica_id("m@h:1/v2#3"));
  EXPECT_FALSE(is_replica_id("m h"));
  EXPECT_FALSE(is_replica_id(""));
}

}  // namespace
}  // namespace llmd::config
