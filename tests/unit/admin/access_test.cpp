// check_access(): the admin key as a bearer token or as the password of HTTP Basic auth.
#include "llmd/admin/access.hpp"

#include <gtest/gtest.h>

namespace llmd::admin {
namespace {

const std::optional<std::string> key = "admin-s3cret";

// base64 of "ops:admin-s3cret"
constexpr std::string_view basic_right = "Basic b3BzOmFkbWluLXMzY3JldA==";

// Each of `authorizations`, checked against `key`, gets `expected`.
void expect_each(std::initializer_list<std::string_view> authorizations, access expected) {
  for (const auto authorization : authorizations) {
    EXPECT_EQ(check_access(authorization, key), expected) << authorization;
  }
}

TEST(admin_access, everything_is_granted_without_a_key) {
  EXPECT_EQ(check_access(std::nullopt, std::nullopt), access::granted);
  EXPECT_EQ(check_access("Bearer anything", std::nullopt), access::granted);
  EXPECT_EQ(check_access("Basic !!!", std::nullopt), access::granted);
}

TEST(admin_access, a_bearer_token_equal_to_the_key_is_granted) {
  EXPECT_EQ(check_access("Bearer admin-s3cret", key), access::granted);
}

TEST(admin_access, another_bearer_token_is_wrong) {
  expect_each({"Bearer admin-s3cre", "Bearer admin-s3cret2", "Bearer ADMIN-S3CRET", "Bearer ", "Bearer"},
              access::wrong_credentials);
}

TEST(admin_access, basic_auth_with_the_key_as_password_and_any_user_name_is_granted) {
  expect_each({basic_right, "Basic OmFkbWluLXMzY3JldA=="}, access::granted);  // ":admin-s3cret", no user
}

TEST(admin_access, basic_auth_with_another_password_is_wrong) {
  expect_each({"Basic b3BzOndyb25n",                 // "ops:wrong"
               "Basic b3BzOmFkbWluLXMzY3JldCA="},   // "ops:admin-s3cret "
              access::wrong_credentials);
}

TEST(admin_access, basic_credentials_without_a_colon_are_wrong_even_when_they_are_the_key) {
  EXPECT_EQ(check_access("Basic YWRtaW4tczNjcmV0", key), access::wrong_credentials);  // "admin-s3cret"
}

TEST(admin_access, basic_credentials_that_are_not_base64_are_wrong) {
  expect_each({"Basic b3BzOmFkbWluLXMzY3JldA", "Basic b3BzOmFkbWluLXMzY3JldA=", "Basic b3BzOmFkbWluLXMzY3JldA===",
               "Basic b3BzOmFkbWlu=XMzY3JldA==", "Basic b3BzOmFkbWluLXMzY3Jld*==", "Basic b3BzOmFk bWluLXMzY3JldA==",
               "Basic ====", "Basic ", "Basic"},
              access::wrong_credentials);
}

TEST(admin_access, a_key_with_colons_works_as_a_basic_password_and_as_a_bearer_token) {
  const std::optional<std::string> colons = "ad:min:key";
  EXPECT_EQ(check_access("Basic b3BzOmFkOm1pbjprZXk=", colons), access::granted);  // "ops:ad:min:key"
  EXPECT_EQ(check_access("Basic YWQ6bWluOmtleQ==", colons), access::wrong_credentials);  // user "ad", password "min:key"
  EXPECT_EQ(check_access("Bearer ad:min:key", colons), access::granted);
}

TEST(admin_access, scheme_names_ignore_case) {
  expect_each({"bearer admin-s3cret", "BEARER admin-s3cret", "basic b3BzOmFkbWluLXMzY3JldA==",
               "BaSiC b3BzOmFkbWluLXMzY3JldA=="},
              access::granted);
}

TEST(admin_access, spaces_after_the_scheme_are_skipped) {
  expect_each({"Bearer   admin-s3cret", "Basic  b3BzOmFkbWluLXMzY3JldA=="}, access::granted);
}

TEST(admin_access, other_schemes_are_wrong_whatever_they_carry) {
  expect_each({"Token admin-s3cret", "Digest admin-s3cret", "admin-s3cret", "Bearer-admin-s3cret"},
              access::wrong_credentials);
}

TEST(admin_access, no_header_or_an_empty_one_is_no_credentials) {
  EXPECT_EQ(check_access(std::nullopt, key), access::no_credentials);
  EXPECT_EQ(check_access("", key), access::no_credentials);
}

TEST(admin_paths, are_the_metrics_the_status_page_and_everything_under_admin) {
  for (const std::string_view path : {"/metrics", "/", "/status", "/admin/backends", "/admin/anything/else"}) {
    EXPECT_TRUE(is_admin_path(path)) << path;
  }
  for (const std::string_view path :
       {"/health", "/ready", "/v1/models", "/v1/chat/completions", "/admin", "/administrator", "/metrics/x",
        "/status/", "/metricsx", ""}) {
    EXPECT_FALSE(is_admin_path(path)) << path;
  }
}

}  // namespace
}  // namespace llmd::admin
