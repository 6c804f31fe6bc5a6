// Credentials: the Authorization header's parts, constant-time comparison, a connection's digests.
#include "llmd/http/authorization.hpp"

#include <gtest/gtest.h>

namespace llmd::http {
namespace {

TEST(parse_authorization, splits_scheme_and_token_and_ignores_the_schemes_case) {
  const auto c = parse_authorization("bEaReR   sk-123");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->is("Bearer"));
  EXPECT_EQ(c->token, "sk-123");
  EXPECT_FALSE(c->is("Basic"));
}

TEST(parse_authorization, refuses_what_lacks_a_scheme_or_a_token) {
  EXPECT_EQ(parse_authorization("sk-123"), std::nullopt);
  EXPECT_EQ(parse_authorization(" sk-123"), std::nullopt);
  EXPECT_EQ(parse_authorization("Bearer "), std::nullopt);
  EXPECT_EQ(parse_authorization(""), std::nullopt);
}

TEST(constant_time_equal, is_equality_of_bytes) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("sk-abc", "sk-abc"));
  EXPECT_FALSE(constant_time_equal("sk-abc", "sk-abd"));
  EXPECT_FALSE(constant_time_equal("sk-abc", "sk-ab"));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(token_digests, hash_each_new_token_and_remember_the_last) {
  token_digests digests;
  EXPECT_EQ(digests.of("sk-first"), config::digest_of("sk-first"));
  EXPECT_EQ(digests.of("sk-first"), config::digest_of("sk-first"));
  EXPECT_EQ(digests.of("sk-second"), config::digest_of("sk-second"));
  EXPECT_EQ(digests.of("sk-first"), config::digest_of("sk-first"));
}

}  // namespace
}  // namespace llmd::http
