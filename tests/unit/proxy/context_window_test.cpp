#include "llmd/proxy/context_window.hpp"

#include <gtest/gtest.h>

namespace llmd::proxy {
namespace {

TEST(context_window, recognises_the_servers_messages) {
  EXPECT_TRUE(is_context_length_error(
      R"({"error":{"message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","code":400}})"));
  EXPECT_TRUE(is_context_length_error(R"({"error":{"code":"context_length_exceeded","message":"..."}})"));
  EXPECT_TRUE(is_context_length_error(R"({"error":"input exceeds the Context Window of the model"})"));
  EXPECT_TRUE(is_context_length_error(R"({"error":{"message":"prompt is too long: 210000 tokens > 200000"}})"));
}

TEST(context_window, other_client_errors_are_not_it) {
  EXPECT_FALSE(is_context_length_error(R"({"error":{"message":"messages must be an array","code":400}})"));
  EXPECT_FALSE(is_context_length_error(R"({"error":{"message":"Invalid API key","type":"auth"}})"));
  EXPECT_FALSE(is_context_length_error(""));
}

}  // namespace
}  // namespace llmd::proxy
