// displayed_endpoint() and displayed_proxy(): what /admin/backends and logs may show.
#include "llmd/config/display.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace llmd::config {
namespace {

TEST(DisplayedEndpoint, RedactsEveryQueryValueButTheAllowedOnes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://h:8001/v1", "http://h:8001/v1"},
      {"https://h/openai/deployments/D?api-version=2024-10-21",
       "https://h/openai/deployments/D?api-version=2024-10-21"},
      {"https://h/openai/deployments/D?api-version=2024-10-21&key=sk-1",
       "https://h/openai/deployments/D?api-version=2024-10-21&key=REDACTED"},
      {"https://h/v1beta/openai?key=AIza-secret", "https://h/v1beta/openai?key=REDACTED"},
      {"https://h/v1?sk-bare-token", "https://h/v1?REDACTED"},
      {"https://h/v1?api-version", "https://h/v1?api-version"},
      {"https://h/v1?Api-Version=x", "https://h/v1?Api-Version=REDACTED"},
      {"https://h/v1?key=", "https://h/v1?key=REDACTED"},
      {"https://h/v1?a=1=2&&b=3", "https://h/v1?a=REDACTED&&b=REDACTED"},
      {"https://h/v1?", "https://h/v1?"},
  };
  for (const auto& [endpoint, shown] : cases) EXPECT_EQ(displayed_endpoint(endpoint), shown) << endpoint;
}

TEST(DisplayedProxy, ShowsHostAndPortOnly) {
  EXPECT_EQ(displayed_proxy({.host = "proxy.corp", .port = "3128", .authorization = "Basic dTpw"}),
            "http://proxy.corp:3128");
  EXPECT_EQ(displayed_proxy({.host = "::1", .port = "1080", .authorization = ""}), "http://[::1]:1080");
}

}  // namespace
}  // namespace llmd::config
