// parse(): the top-level `auth` map of client keys.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::lines;
using testing::messages;
using testing::parse_with;
using testing::with_models;

std::string two_groups(std::string_view top_level) {
  return "models:\n  - {name: a, endpoint: http://localhost:8001}\n  - {name: b, endpoint: http://localhost:8002}\n" +
         std::string(top_level);
}

// The warnings about `auth`; others (a group of one replica) are not this file's.
lines auth_warnings(const parse_result& result) {
  lines out;
  for (const auto& w : result.warnings) {
    if (w.path.starts_with("auth")) out.push_back(w.to_string());
  }
  return out;
}

TEST(auth_settings, are_off_without_an_auth_map) {
  const auto result = parse_with(with_models(""));
  ASSERT_TRUE(result.value);
  EXPECT_FALSE(result.value->auth.enabled());
}

TEST(auth_settings, keep_each_key_as_its_digest_with_its_name_groups_and_limits) {
  const auto result = parse_with(two_groups("auth:\n  keys:\n"
                                            "    - {key: \"${TEAM_A_KEY}\", name: team-a, models: [b], rpm: 60, tpm: 1000}\n"
                                            "    - {key: sk-second-key-0123456789, name: ci}\n"),
                                 {{"TEAM_A_KEY", "sk-team-a-0123456789"}});
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& keys = result.value->auth.keys;
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].digest, digest_of("sk-team-a-0123456789"));
  EXPECT_EQ(keys[0].name, "team-a");
  EXPECT_EQ(keys[0].models, std::vector<std::string>{"b"});
  EXPECT_EQ(keys[0].rpm, 60);
  EXPECT_EQ(keys[0].tpm, 1000);
  EXPECT_EQ(keys[1].digest, digest_of("sk-second-key-0123456789"));
  EXPECT_EQ(keys[1].models, std::nullopt);
  EXPECT_EQ(keys[1].rpm, std::nullopt);
  EXPECT_EQ(keys[1].tpm, std::nullopt);
  EXPECT_EQ(auth_warnings(result), lines{});
}

TEST(auth_settings, take_a_key_as_its_sha256) {
  // sha256("abc")
  const auto result = parse_with(with_models(
      "auth:\n  keys:\n    - key: sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\n"
      "      name: hashed\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->auth.keys[0].digest, digest_of("abc"));
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys:\n    - {key: \"sha256:abc\", name: x}\n"))),
            lines{"auth.keys[0].key: sha256: must be followed by 64 hexadecimal digits (line 6)"});
}

TEST(auth_settings, warn_of_a_short_key_without_repeating_it) {
  const auto result = parse_with(with_models("auth:\n  keys:\n    - {key: hunter2, name: x}\n"));
  ASSERT_TRUE(result.value);
  EXPECT_EQ(auth_warnings(result), lines{"auth.keys[0].key: is shorter than 16 characters and easy to guess (line 6)"});
}

TEST(auth_settings, refuse_what_does_not_make_a_key) {
  EXPECT_EQ(messages(parse_with(with_models("auth: {}\n"))),
            lines{"auth: needs a sequence of at least one key (keys:) (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys: []\n"))),
            lines{"auth.keys: needs a sequence of at least one key (keys:) (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys:\n    - {name: x}\n"))),
            lines{"auth.keys[0]: needs a key (line 6)"});
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys:\n    - {key: sk-0123456789abcdef}\n"))),
            lines{"auth.keys[0]: needs a name (line 6)"});
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys:\n    - {key: sk-0123456789abcdef, name: \"a b\"}\n"))),
            lines{"auth.keys[0].name: must be at most 64 letters, digits, '-', '_' or '.' (line 6)"});
  EXPECT_EQ(
      messages(parse_with(with_models("auth:\n  keys:\n    - {key: sk-0123456789abcdef, name: x, models: [z]}\n"))),
      lines{"auth.keys[0].models[0]: names no group: z (line 6)"});
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys:\n    - {key: sk-0123456789abcdef, name: x, rpm: 0}\n"))),
            lines{"auth.keys[0].rpm: must be a positive integer (line 6)"});
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys:\n    - {key: sk-0123456789abcdef, name: x, id: 1}\n"))),
            lines{"auth.keys[0].id: unknown key (line 6)"});
  EXPECT_EQ(messages(parse_with(with_models("auth:\n  keys:\n    - {key: \"${NOPE}\", name: x}\n"))),
            lines{"auth.keys[0].key: environment variable NOPE is not set (line 6)"});
}

TEST(auth_settings, refuse_a_key_or_a_name_given_twice_without_repeating_the_key) {
  const auto twice = parse_with(with_models("auth:\n  keys:\n"
                                            "    - {key: sk-0123456789abcdef, name: x}\n"
                                            "    - {key: sk-0123456789abcdef, name: y}\n"
                                            "    - {key: sk-fedcba9876543210, name: x}\n"));
  EXPECT_EQ(messages(twice), (lines{"auth.keys[1]: holds the same key as x (line 7)",
                                    "auth.keys[2]: has the same name as another key: x (line 8)"}));
}

}  // namespace
}  // namespace llmd::config
