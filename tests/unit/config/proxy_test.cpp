// parse(): the `proxy` key and the proxy environment variables.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::env_map;
using testing::lines;
using testing::messages;
using testing::parse_with;

// One entry at `endpoint` with `keys` (indented as entry keys, from line 4).
std::string entry_at(std::string_view endpoint, std::string_view keys = "") {
  return "models:\n  - name: a\n    endpoint: " + std::string(endpoint) + "\n" + std::string(keys);
}

// The proxy the file's only entry ends up with.
std::optional<proxy_settings> proxy_of(const std::string& yaml, env_map env = {}) {
  const auto result = parse_with(yaml, std::move(env));
  EXPECT_TRUE(result.value) << (result.problems.empty() ? "" : messages(result).front());
  return result.value ? result.value->models.front().proxy : std::nullopt;
}

proxy_settings at(std::string host, std::string port, std::string authorization = "") {
  return {.host = std::move(host), .port = std::move(port), .authorization = std::move(authorization)};
}

// ---- the proxy key ----

TEST(ProxyParse, DirectByDefault) {
  EXPECT_EQ(proxy_of(entry_at("https://h")), std::nullopt);
  EXPECT_EQ(proxy_of(entry_at("http://h")), std::nullopt);
}

TEST(ProxyParse, UrlForms) {
  const std::vector<std::pair<std::string, proxy_settings>> cases = {
      {"http://proxy.corp:3128", at("proxy.corp", "3128")},
      {"http://proxy.corp", at("proxy.corp", "1080")},
      {"http://proxy.corp/", at("proxy.corp", "1080")},
      {"HTTP://10.0.0.9:8080", at("10.0.0.9", "8080")},
      {"\"http://[::1]:3128\"", at("::1", "3128")},
      {"http://alice:s3cret@proxy.corp:3128", at("proxy.corp", "3128", "Basic YWxpY2U6czNjcmV0")},
      {"http://alice@proxy.corp", at("proxy.corp", "1080", "Basic YWxpY2U6")},
      {"http://u%40corp:p%3Aw%25@proxy.corp", at("proxy.corp", "1080", "Basic dUBjb3JwOnA6dyU=")},
      {"http://u:p@ss@proxy.corp", at("proxy.corp", "1080", "Basic dTpwQHNz")},
      {"http://@proxy.corp", at("proxy.corp", "1080")},
  };
  for (const auto& [url, expected] : cases) {
    EXPECT_EQ(proxy_of(entry_at("https://h", "    proxy: " + url + "\n")), expected) << url;
  }
}

TEST(ProxyParse, BadUrls) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"https://proxy.corp", "proxy must be an http:// URL"},
      {"socks5://proxy.corp:1080", "proxy must be an http:// URL"},
      {"proxy.corp:3128", "proxy must be an http:// URL"},
      {"http://proxy.corp/squid", "proxy must not have a path"},
      {"http://proxy.corp//", "proxy must not have a path"},
      {"http://proxy.corp?x=1", "proxy must not have a query (?...)"},
      {"http://proxy.corp#x", "proxy must not have a fragment (#...)"},
      {"http://proxy.corp:0", "proxy port must be a number from 1 to 65535"},
      {"http://proxy.corp:http", "proxy port must be a number from 1 to 65535"},
      {"http://", "proxy has no host"},
      {"http://u:p@", "proxy has no host"},
      {"\"http://bad host\"", "proxy has an invalid host \"bad host\""},
      {"http://u%zz@proxy.corp", "proxy user info has an invalid percent-encoding (%XX)"},
      {"http://u:%4@proxy.corp", "proxy user info has an invalid percent-encoding (%XX)"},
      {"[http://h]", "must be a string"},
  };
  for (const auto& [url, error] : cases) {
    EXPECT_EQ(messages(parse_with(entry_at("https://h", "    proxy: " + url + "\n"))),
              lines{"models[0].proxy: " + error + " (line 4)"})
        << url;
  }
}

TEST(ProxyParse, CredentialsStayOutOfEveryMessage) {
  const auto result = parse_with(entry_at("https://h", "    proxy: http://alice:s3cret@proxy.corp:99999\n"));
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].to_string().find("s3cret"), std::string::npos);
}

TEST(ProxyParse, DefaultsProxyIsInheritedAndOverridden) {
  const auto result = parse_with(R"(defaults:
  proxy: http://shared:3128
models:
  - name: a
    endpoint: https://h:1
  - name: b
    endpoint: https://h:2
    proxy: http://own:8080
  - name: c
    endpoint: http://h:3
    proxy: ""
)");
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& m = result.value->models;
  EXPECT_EQ(result.value->defaults.proxy, at("shared", "3128"));
  EXPECT_EQ(m[0].proxy, at("shared", "3128"));
  EXPECT_EQ(m[1].proxy, at("own", "8080"));
  EXPECT_EQ(m[2].proxy, std::nullopt);
}

TEST(ProxyParse, ExpandsEnvironmentVariables) {
  EXPECT_EQ(proxy_of(entry_at("https://h", "    proxy: http://${PROXY_USER}:${PROXY_PASS}@proxy.corp:3128\n"),
                     env_map{{"PROXY_USER", "alice"}, {"PROXY_PASS", "s3cret"}}),
            at("proxy.corp", "3128", "Basic YWxpY2U6czNjcmV0"));
}

// ---- the environment ----

TEST(ProxyEnvironment, EachSchemeHasItsVariables) {
  const env_map env{{"https_proxy", "http://tls-proxy:3128"}, {"http_proxy", "http://plain-proxy:3128"}};
  EXPECT_EQ(proxy_of(entry_at("https://h"), env), at("tls-proxy", "3128"));
  EXPECT_EQ(proxy_of(entry_at("http://h"), env), at("plain-proxy", "3128"));
  EXPECT_EQ(proxy_of(entry_at("http://h"), env_map{{"HTTPS_PROXY", "http://tls-proxy:3128"}}), std::nullopt);
  EXPECT_EQ(proxy_of(entry_at("https://h"), env_map{{"HTTP_PROXY", "http://plain-proxy:3128"}}), std::nullopt);
}

TEST(ProxyEnvironment, LowerCaseFirstAndEmptyIsUnset) {
  EXPECT_EQ(proxy_of(entry_at("https://h"), env_map{{"HTTPS_PROXY", "http://upper:1"}}), at("upper", "1"));
  EXPECT_EQ(
      proxy_of(entry_at("https://h"), env_map{{"https_proxy", "http://lower:1"}, {"HTTPS_PROXY", "http://upper:1"}}),
      at("lower", "1"));
  EXPECT_EQ(proxy_of(entry_at("https://h"), env_map{{"https_proxy", ""}, {"HTTPS_PROXY", "http://upper:1"}}),
            at("upper", "1"));
  EXPECT_EQ(proxy_of(entry_at("http://h"), env_map{{"HTTP_PROXY", "http://upper:1"}}), at("upper", "1"));
}

TEST(ProxyEnvironment, AProxyWithoutSchemeIsHttp) {
  EXPECT_EQ(proxy_of(entry_at("https://h"), env_map{{"HTTPS_PROXY", "proxy.corp:3128"}}), at("proxy.corp", "3128"));
  EXPECT_EQ(proxy_of(entry_at("https://h"), env_map{{"HTTPS_PROXY", "u:p@proxy.corp"}}),
            at("proxy.corp", "1080", "Basic dTpw"));
}

TEST(ProxyEnvironment, TheFileWins) {
  const env_map env{{"HTTPS_PROXY", "http://from-env:1"}};
  EXPECT_EQ(proxy_of(entry_at("https://h", "    proxy: http://from-file:2\n"), env), at("from-file", "2"));
  EXPECT_EQ(proxy_of(entry_at("https://h", "    proxy: \"\"\n"), env), std::nullopt);
  EXPECT_EQ(proxy_of("defaults:\n  proxy: \"\"\n" + entry_at("https://h"), env), std::nullopt);
  EXPECT_EQ(proxy_of("defaults:\n  proxy: http://from-defaults:3\n" + entry_at("https://h"), env),
            at("from-defaults", "3"));
}

TEST(ProxyEnvironment, NoProxyNamesHostsToReachDirectly) {
  struct no_proxy_case {
    std::string no_proxy;
    std::string endpoint;
    bool direct;
  };
  const std::vector<no_proxy_case> cases = {
      {"*", "https://anything.example", true},
      {"localhost, *", "https://anything.example", true},
      {"example.com", "https://example.com", true},
      {"example.com", "https://api.example.com", true},
      {"example.com", "https://a.b.example.com:8443", true},
      {"example.com", "https://badexample.com", false},
      {"example.com", "https://example.com.evil", false},
      {".example.com", "https://example.com", true},
      {".example.com", "https://api.example.com", true},
      {"EXAMPLE.com", "https://Api.Example.COM", true},
      {" other.org ,\texample.com ", "https://api.example.com", true},
      {"other.org,,", "https://api.example.com", false},
      {"example.com:443", "https://api.example.com", true},
      {"example.com:8443", "https://example.com", true},
      {"10.0.0.1", "https://10.0.0.1:8443", true},
      {"0.0.1", "https://10.0.0.1", false},
      {"10.0.0.1", "https://10.0.0.10", false},
      {"10.0.0.1:443", "https://10.0.0.1", true},
      {"::1", "https://[::1]", true},
      {"[::1]:443", "https://[::1]", true},
      {"[::1]", "https://[::1]:8443", true},
      {"::2", "https://[::1]", false},
      {"1", "https://[::1]", false},
      {"localhost", "https://127.0.0.1", false},
      {"", "https://example.com", false},
  };
  for (const auto& c : cases) {
    const auto proxy = proxy_of(entry_at(c.endpoint), env_map{{"HTTPS_PROXY", "http://p:1"}, {"no_proxy", c.no_proxy}});
    EXPECT_EQ(proxy == std::nullopt, c.direct) << "no_proxy=\"" << c.no_proxy << "\" " << c.endpoint;
  }
}

TEST(ProxyEnvironment, UpperCaseNoProxyToo) {
  EXPECT_EQ(proxy_of(entry_at("https://h"), env_map{{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "h"}}), std::nullopt);
  EXPECT_EQ(
      proxy_of(entry_at("https://h"), env_map{{"HTTPS_PROXY", "http://p:1"}, {"no_proxy", "x"}, {"NO_PROXY", "h"}}),
      at("p", "1"));
}

TEST(ProxyEnvironment, NoProxyDoesNotOverrideTheFile) {
  EXPECT_EQ(proxy_of(entry_at("https://h", "    proxy: http://p:1\n"), env_map{{"NO_PROXY", "*"}}), at("p", "1"));
}

TEST(ProxyEnvironment, AMalformedVariableIsOneProblemNamingIt) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: https://h:1
  - name: b
    endpoint: https://h:2
)",
                                 env_map{{"HTTPS_PROXY", "socks5://p:1080"}});
  EXPECT_EQ(messages(result), lines{"environment variable HTTPS_PROXY: proxy must be an http:// URL"});
  EXPECT_FALSE(result.value);
  EXPECT_EQ(messages(parse_with(entry_at("https://h"), env_map{{"https_proxy", "http://p:99999"}})),
            lines{"environment variable https_proxy: proxy port must be a number from 1 to 65535"});
}

TEST(ProxyEnvironment, AnUnusedVariableIsNotChecked) {
  EXPECT_EQ(messages(parse_with(entry_at("http://h"), env_map{{"HTTPS_PROXY", "socks5://p"}})), lines{});
  EXPECT_EQ(messages(parse_with(entry_at("https://h"), env_map{{"HTTPS_PROXY", "socks5://p"}, {"NO_PROXY", "h"}})),
            lines{});
  EXPECT_EQ(messages(parse_with(entry_at("https://h", "    proxy: \"\"\n"), env_map{{"HTTPS_PROXY", "socks5://p"}})),
            lines{});
}

}  // namespace
}  // namespace llmd::config
