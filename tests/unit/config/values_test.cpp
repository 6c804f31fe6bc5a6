// The value syntaxes on their own: endpoint URLs, durations and sizes.
#include <gtest/gtest.h>

#include "llmd/config/parse.hpp"

namespace llmd::config {
namespace {

using namespace std::chrono_literals;

struct endpoint_case {
  std::string endpoint;
  std::string scheme;
  std::string host;
  std::string port;
  std::string root;
  std::string query;
};

TEST(ParseEndpoint, DerivesHostPortRootAndQuery) {
  const std::vector<endpoint_case> cases = {
      {"http://h:8001", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/v1", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/v1/", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/v1/chat/completions", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/v1/chat/completions/", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/v1/completions", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/v1/embeddings", "http", "h", "8001", "/v1", ""},
      {"http://h:8001/v1/models", "http", "h", "8001", "/v1", ""},
      {"http://h/openai/v1/", "http", "h", "80", "/openai/v1", ""},
      {"http://h/openai/v1/chat/completions", "http", "h", "80", "/openai/v1", ""},
      {"http://h/openai", "http", "h", "80", "/openai", ""},
      {"http://h/openai/", "http", "h", "80", "/openai", ""},
      {"http://h/a/b/v1/embeddings", "http", "h", "80", "/a/b/v1", ""},
      {"http://h/v2", "http", "h", "80", "/v2", ""},
      {"http://h/v1x", "http", "h", "80", "/v1x", ""},
      {"http://h/xcompletions", "http", "h", "80", "/xcompletions", ""},
      {"http://h/chat/completions", "http", "h", "80", "/v1", ""},
      {"http://localhost", "http", "localhost", "80", "/v1", ""},
      {"HTTP://Gpu-7.internal:9000/v1", "http", "Gpu-7.internal", "9000", "/v1", ""},
      {"http://10.1.2.3:65535", "http", "10.1.2.3", "65535", "/v1", ""},
      {"http://[::1]:8001/v1", "http", "::1", "8001", "/v1", ""},
      {"http://[fe80::1]", "http", "fe80::1", "80", "/v1", ""},
      {"http://[::ffff:10.0.0.1]:81/p", "http", "::ffff:10.0.0.1", "81", "/p", ""},
      {"http://h:08001", "http", "h", "8001", "/v1", ""},
      {"https://api.openai.com/v1", "https", "api.openai.com", "443", "/v1", ""},
      {"HTTPS://api.openai.com", "https", "api.openai.com", "443", "/v1", ""},
      {"https://h:8443/v1/chat/completions", "https", "h", "8443", "/v1", ""},
      {"https://generativelanguage.googleapis.com/v1beta/openai", "https", "generativelanguage.googleapis.com", "443",
       "/v1beta/openai", ""},
      {"https://generativelanguage.googleapis.com/v1beta/openai/", "https", "generativelanguage.googleapis.com", "443",
       "/v1beta/openai", ""},
      {"https://r.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21", "https",
       "r.openai.azure.com", "443", "/openai/deployments/d", "api-version=2024-10-21"},
      {"https://r.openai.azure.com/openai/deployments/d?api-version=2024-10-21", "https", "r.openai.azure.com", "443",
       "/openai/deployments/d", "api-version=2024-10-21"},
      {"http://h?a=1&b=%2F", "http", "h", "80", "/v1", "a=1&b=%2F"},
      {"http://h:81/?a", "http", "h", "81", "/v1", "a"},
      {"http://h/v1?", "http", "h", "80", "/v1", ""},
      {"http://h/v1?a=/b?c", "http", "h", "80", "/v1", "a=/b?c"},
  };
  for (const auto& c : cases) {
    const auto result = parse_endpoint(c.endpoint);
    ASSERT_TRUE(result.value) << c.endpoint << ": " << result.error;
    EXPECT_EQ(result.error, "") << c.endpoint;
    EXPECT_EQ(result.value->scheme, c.scheme) << c.endpoint;
    EXPECT_EQ(result.value->tls(), c.scheme == "https") << c.endpoint;
    EXPECT_EQ(result.value->host, c.host) << c.endpoint;
    EXPECT_EQ(result.value->port, c.port) << c.endpoint;
    EXPECT_EQ(result.value->root, c.root) << c.endpoint;
    EXPECT_EQ(result.value->query, c.query) << c.endpoint;
  }
}

TEST(ParseEndpoint, RejectsUnusableUrls) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ftp://h/v1", "scheme must be http or https"},
      {"://h", "scheme must be http or https"},
      {"httpx://h", "scheme must be http or https"},
      {"localhost:8001/v1", "must be a URL such as http://localhost:8001/v1"},
      {"", "must be a URL such as http://localhost:8001/v1"},
      {"http://", "has no host"},
      {"https://", "has no host"},
      {"http:///v1", "has no host"},
      {"http://?a=1", "has no host"},
      {"http://:8001/v1", "has no host"},
      {"http://h:0", "port must be a number from 1 to 65535"},
      {"http://h:65536", "port must be a number from 1 to 65535"},
      {"http://h:", "port must be a number from 1 to 65535"},
      {"http://h:80a", "port must be a number from 1 to 65535"},
      {"http://h:-1", "port must be a number from 1 to 65535"},
      {"http://h:1000000", "port must be a number from 1 to 65535"},
      {"http://h/v1?a b", "query must contain only visible ASCII characters (no spaces)"},
      {"http://h/v1?a=\x01", "query must contain only visible ASCII characters (no spaces)"},
      {"http://h/v1?a=caf\xc3\xa9", "query must contain only visible ASCII characters (no spaces)"},
      {"http://h/v1#top", "must not have a fragment (#...)"},
      {"http://h/v1?a=1#top", "must not have a fragment (#...)"},
      {"http://user:pw@h/v1", "must not contain user info (user@); use api_key or headers for credentials"},
      {"https://user@h", "must not contain user info (user@); use api_key or headers for credentials"},
      {"http://::1:8001", "IPv6 addresses must be in brackets, as in [::1]"},
      {"http://[::1:8001", "has a [ without its ]"},
      {"http://[::1]x/v1", "has unexpected text after ]"},
      {"http://[]:80", "has an invalid IPv6 address \"\""},
      {"http://[host]:80", "has an invalid IPv6 address \"host\""},
      {"http://my_host$:80", "has an invalid host \"my_host$\""},
      {"http://h/my path", "path must contain only visible ASCII characters (no spaces)"},
      {"http://h/a\tb", "path must contain only visible ASCII characters (no spaces)"},
      {"http://h/caf\xc3\xa9", "path must contain only visible ASCII characters (no spaces)"},
      {"http://h//v1", "path must not contain an empty segment (//)"},
      {"http://h/openai//v1", "path must not contain an empty segment (//)"},
  };
  for (const auto& [endpoint, error] : cases) {
    const auto result = parse_endpoint(endpoint);
    EXPECT_FALSE(result.value) << endpoint;
    EXPECT_EQ(result.error, error) << endpoint;
  }
}

TEST(ParseDuration, AcceptedForms) {
  const std::vector<std::pair<std::string, duration>> cases = {
      {"250ms", 250ms},   {"2s", 2s},       {"5m", 5min},
      {"1h", 1h},         {"0", 0ms},       {"5", 5s},
      {"1.5", 1500ms},    {"0.25s", 250ms}, {"1.5m", 90s},
      {"0.5h", 30min},    {"600", 600s},    {"0.0001", 0ms},
      {"1.0009", 1000ms}, {"007s", 7s},     {"1.25ms", 1ms},
      {"0ms", 0ms},       {"86400s", 24h},  {"2.123456789123s", 2123ms},
  };
  for (const auto& [text, expected] : cases) {
    const auto parsed = parse_duration(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(*parsed, expected) << text;
  }
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* text : {"", "s", "ms", "-1", "-1s", "+1s", "1.", ".5", "1.2.3", "1 s", " 1s", "1s ", "1S", "1sec"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
  for (const char* text : {"1d", "1us", "1e3", "1m30s", "abc", "0x10"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_EQ(parse_duration("99999999999999999999"), std::nullopt);
  EXPECT_EQ(parse_duration("9999999999999999h"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775808ms"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775807ms"), duration{9223372036854775807});
}

TEST(ParseSize, AcceptedForms) {
  const std::vector<std::pair<std::string, std::size_t>> cases = {
      {"0", 0},
      {"1000", 1000},
      {"1KiB", 1024},
      {"512KiB", 512 * 1024},
      {"16MiB", 16 * 1024 * 1024},
      {"1GiB", 1024ull * 1024 * 1024},
      {"4GiB", 4ull * 1024 * 1024 * 1024},
      {"1KB", 1000},
      {"2MB", 2'000'000},
      {"3GB", 3'000'000'000ull},
  };
  for (const auto& [text, expected] : cases) {
    const auto parsed = parse_size(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(*parsed, expected) << text;
  }
}

TEST(ParseSize, RejectedForms) {
  for (const char* text : {"", "MiB", "-1", "+1", "1.5MiB", "1 MiB", "1mib", "1kb", "1K", "1M", "1B", "1TiB", "1KiBs",
                           "0x10", "18446744073709551616", "99999999999GiB"}) {
    EXPECT_EQ(parse_size(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace llmd::config
