// parse(): the top-level `cors` map.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using namespace std::chrono_literals;
using testing::lines;
using testing::messages;
using testing::parse_with;
using testing::with_models;

TEST(cors_settings, are_absent_without_a_cors_map) {
  const auto result = parse_with(with_models(""));
  ASSERT_TRUE(result.value);
  EXPECT_EQ(result.value->cors, std::nullopt);
}

TEST(cors_settings, take_a_list_of_origins_or_any) {
  const auto listed = parse_with(with_models(
      "cors:\n  allow_origins: [\"https://app.example.com\", \"http://localhost:3000\"]\n  max_age: 1h\n"));
  ASSERT_TRUE(listed.value) << messages(listed).front();
  const auto& cors = *listed.value->cors;
  EXPECT_TRUE(cors.allows("https://app.example.com"));
  EXPECT_TRUE(cors.allows("http://localhost:3000"));
  EXPECT_FALSE(cors.allows("https://evil.example.com"));
  EXPECT_FALSE(cors.allows("http://app.example.com"));
  EXPECT_EQ(cors.max_age, 1h);
  const auto any = parse_with(with_models("cors: {allow_origins: \"*\"}\n"));
  ASSERT_TRUE(any.value);
  EXPECT_TRUE(any.value->cors->allows("https://anywhere.example"));
  EXPECT_EQ(any.value->cors->max_age, 10min);
}

TEST(cors_settings, refuse_what_is_not_an_origin) {
  EXPECT_EQ(messages(parse_with(with_models("cors: {}\n"))),
            lines{"cors: needs allow_origins: a list of origins, or \"*\" (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("cors: {allow_origins: yes}\n"))),
            lines{"cors.allow_origins: must be \"*\" or a list of origins (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("cors:\n  allow_origins: [\"https://a.example/path\", \"a.example\"]\n"))),
            (lines{"cors.allow_origins[0]: must be an origin such as https://app.example.com (scheme, host, optional "
                   "port; no path) (line 5)",
                   "cors.allow_origins[1]: must be an origin such as https://app.example.com (scheme, host, optional "
                   "port; no path) (line 5)"}));
}

}  // namespace
}  // namespace llmd::config
