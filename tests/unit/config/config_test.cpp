// parse(): the schema, its defaults and every problem it reports.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using namespace std::chrono_literals;
using testing::env_map;
using testing::lines;
using testing::messages;
using testing::one_model;
using testing::parse_with;
using testing::seed_yaml;
using testing::with_models;

// ---- the seed file and defaults ----

TEST(ConfigParse, SeedFileParsesWithEveryDefault) {
  const auto result = parse_with(seed_yaml);
  ASSERT_TRUE(result.problems.empty()) << messages(result).front();
  ASSERT_TRUE(result.value);
  const config& cfg = *result.value;

  EXPECT_EQ(cfg.listen_host, "0.0.0.0");
  EXPECT_EQ(cfg.listen_port, "8080");
  EXPECT_EQ(cfg.workers, 0);
  EXPECT_EQ(cfg.default_model, "primary");
  EXPECT_EQ(cfg.defaults.timeout.connect, 2s);
  EXPECT_EQ(cfg.defaults.timeout.first_byte, 60s);
  EXPECT_EQ(cfg.defaults.timeout.idle, 60s);
  EXPECT_EQ(cfg.defaults.timeout.request, 600s);
  EXPECT_EQ(cfg.limit.max_body_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(cfg.limit.client_idle_timeout, 75s);
  EXPECT_EQ(cfg.limit.max_header_bytes, 64u * 1024);
  EXPECT_EQ(cfg.limit.max_headers, 100u);
  EXPECT_EQ(cfg.limit.max_connections, 10000u);
  EXPECT_EQ(cfg.limit.client_header_timeout, 10s);
  EXPECT_EQ(cfg.limit.client_body_timeout, 30s);
  EXPECT_EQ(cfg.limit.client_send_timeout, 30s);
  EXPECT_EQ(cfg.limit.shutdown_timeout, 25s);

  ASSERT_EQ(cfg.models.size(), 2u);
  const auto& primary = cfg.models[0];
  EXPECT_EQ(primary.name, "primary");
  EXPECT_EQ(primary.endpoint, "http://localhost:8001/v1/chat/completions");
  EXPECT_EQ(primary.url.scheme, "http");
  EXPECT_EQ(primary.url.host, "localhost");
  EXPECT_EQ(primary.url.port, "8001");
  EXPECT_EQ(primary.url.root, "/v1");
  EXPECT_EQ(primary.url.query, "");
  EXPECT_EQ(primary.max_concurrent, 4);
  EXPECT_EQ(primary.model, std::nullopt);
  EXPECT_TRUE(primary.headers.empty());
  EXPECT_EQ(primary.api_key, std::nullopt);
  EXPECT_EQ(primary.weight, 1);
  EXPECT_EQ(primary.fallbacks, std::nullopt);
  EXPECT_EQ(primary.timeout.connect, 2s);
  EXPECT_EQ(primary.timeout.first_byte, 60s);
  EXPECT_EQ(primary.timeout.idle, 60s);
  EXPECT_EQ(primary.timeout.request, 600s);
  EXPECT_EQ(primary.line, 2);

  const auto& fallback = cfg.models[1];
  EXPECT_EQ(fallback.name, "fallback");
  EXPECT_EQ(fallback.url.port, "8002");
  EXPECT_EQ(fallback.max_concurrent, 8);
  EXPECT_EQ(fallback.line, 5);
}

TEST(ConfigParse, MaxConcurrentDefaultsTo64) {
  const auto result = parse_with(one_model);
  ASSERT_TRUE(result.value);
  EXPECT_EQ(result.value->models[0].max_concurrent, 64);
}

TEST(ConfigParse, EveryKeySet) {
  const auto result = parse_with(R"(listen: 127.0.0.1:9090
workers: 3
default_model: big
defaults:
  connect_timeout: 500ms
  first_byte_timeout: 30s
  idle_timeout: 1.5
  request_timeout: 5m
limits:
  max_body_size: 1MiB
  client_idle_timeout: 10s
  client_header_timeout: 5
  client_body_timeout: 20s
  client_send_timeout: 1m
  max_header_size: 16KiB
  max_headers: 50
  max_connections: 500
  shutdown_timeout: 40s
models:
  - name: big
    endpoint: http://10.0.0.5:8000/openai/v1/
    max_concurrent: 16
    model: meta-llama/Llama-3-70B
    headers:
      X-Team: research
      OpenAI-Organization: org-1
    api_key: sk-secret
    weight: 3
    fallbacks: [small]
    connect_timeout: 1s
    first_byte_timeout: 2m
    idle_timeout: 45s
    request_timeout: 1h
  - name: small
    endpoint: http://[::1]:8002/v1/embeddings
    fallbacks: []
)");
  ASSERT_TRUE(result.problems.empty()) << messages(result).front();
  const config& cfg = *result.value;
  EXPECT_EQ(cfg.listen_host, "127.0.0.1");
  EXPECT_EQ(cfg.listen_port, "9090");
  EXPECT_EQ(cfg.workers, 3);
  EXPECT_EQ(cfg.default_model, "big");
  EXPECT_EQ(cfg.defaults.timeout.connect, 500ms);
  EXPECT_EQ(cfg.defaults.timeout.first_byte, 30s);
  EXPECT_EQ(cfg.defaults.timeout.idle, 1500ms);
  EXPECT_EQ(cfg.defaults.timeout.request, 5min);
  EXPECT_EQ(cfg.limit.max_body_bytes, 1024u * 1024);
  EXPECT_EQ(cfg.limit.client_idle_timeout, 10s);
  EXPECT_EQ(cfg.limit.client_header_timeout, 5s);
  EXPECT_EQ(cfg.limit.client_body_timeout, 20s);
  EXPECT_EQ(cfg.limit.client_send_timeout, 1min);
  EXPECT_EQ(cfg.limit.max_header_bytes, 16u * 1024);
  EXPECT_EQ(cfg.limit.max_headers, 50u);
  EXPECT_EQ(cfg.limit.max_connections, 500u);
  EXPECT_EQ(cfg.limit.shutdown_timeout, 40s);

  ASSERT_EQ(cfg.models.size(), 2u);
  const auto& big = cfg.models[0];
  EXPECT_EQ(big.name, "big");
  EXPECT_EQ(big.endpoint, "http://10.0.0.5:8000/openai/v1/");
  EXPECT_EQ(big.url.host, "10.0.0.5");
  EXPECT_EQ(big.url.port, "8000");
  EXPECT_EQ(big.url.root, "/openai/v1");
  EXPECT_EQ(big.max_concurrent, 16);
  EXPECT_EQ(big.model, "meta-llama/Llama-3-70B");
  ASSERT_EQ(big.headers.size(), 2u);
  EXPECT_EQ(big.headers[0].name, "X-Team");
  EXPECT_EQ(big.headers[0].value, "research");
  EXPECT_EQ(big.headers[1].name, "OpenAI-Organization");
  EXPECT_EQ(big.headers[1].value, "org-1");
  EXPECT_EQ(big.api_key, "sk-secret");
  EXPECT_EQ(big.weight, 3);
  EXPECT_EQ(big.fallbacks, std::vector<std::string>{"small"});
  EXPECT_EQ(big.timeout.connect, 1s);
  EXPECT_EQ(big.timeout.first_byte, 2min);
  EXPECT_EQ(big.timeout.idle, 45s);
  EXPECT_EQ(big.timeout.request, 1h);
  EXPECT_EQ(big.line, 20);

  const auto& small = cfg.models[1];
  EXPECT_EQ(small.url.host, "::1");
  EXPECT_EQ(small.url.port, "8002");
  EXPECT_EQ(small.url.root, "/v1");
  EXPECT_EQ(small.fallbacks, std::vector<std::string>{});
  EXPECT_EQ(small.line, 34);
}

TEST(ConfigParse, EntryTimeoutsOverrideDefaultsPerKey) {
  const auto result = parse_with(R"(defaults:
  connect_timeout: 3s
  idle_timeout: 20s
models:
  - name: a
    endpoint: http://h:1
    idle_timeout: 5s
  - name: b
    endpoint: http://h:2
)");
  ASSERT_TRUE(result.value);
  const auto& a = result.value->models[0].timeout;
  EXPECT_EQ(a.connect, 3s);
  EXPECT_EQ(a.first_byte, 60s);
  EXPECT_EQ(a.idle, 5s);
  EXPECT_EQ(a.request, 600s);
  const auto& b = result.value->models[1].timeout;
  EXPECT_EQ(b.connect, 3s);
  EXPECT_EQ(b.idle, 20s);
}

TEST(ConfigParse, EntriesSharingANameAreReplicasOfOneGroup) {
  const auto result = parse_with(R"(models:
  - name: chat
    endpoint: http://h:1
    fallbacks: [spare]
  - name: chat
    endpoint: http://h:2
  - name: spare
    endpoint: http://h:3
)");
  ASSERT_TRUE(result.problems.empty()) << messages(result).front();
  EXPECT_EQ(result.value->models.size(), 3u);
  EXPECT_EQ(result.value->default_model, "chat");
}

TEST(ConfigParse, EntryLineIsTheLineOfItsFirstKey) {
  const auto result = parse_with(R"(# comment
models:

  # the first entry
  -
    endpoint: http://h:1
    name: a
)");
  ASSERT_TRUE(result.value);
  EXPECT_EQ(result.value->models[0].line, 6);
}

// ---- listen and workers ----

TEST(ConfigParse, ListenForms) {
  struct listen_case {
    std::string yaml;
    std::string host;
    std::string port;
  };
  const std::vector<listen_case> cases = {
      {"listen: 0.0.0.0:8080", "0.0.0.0", "8080"},      {"listen: localhost:0", "localhost", "0"},
      {"listen: \"[::1]:8080\"", "::1", "8080"},        {"listen: '[::]:65535'", "::", "65535"},
      {"listen: 127.0.0.1:08081", "127.0.0.1", "8081"},
  };
  for (const auto& c : cases) {
    const auto result = parse_with(with_models(c.yaml));
    ASSERT_TRUE(result.value) << c.yaml << ": " << messages(result).front();
    EXPECT_EQ(result.value->listen_host, c.host) << c.yaml;
    EXPECT_EQ(result.value->listen_port, c.port) << c.yaml;
  }
}

TEST(ConfigParse, ListenErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"listen: 0.0.0.0", "listen: must be HOST:PORT such as 0.0.0.0:8080 or \"[::1]:8080\" (line 4)"},
      {"listen: 0.0.0.0:65536", "listen: port must be a number from 0 to 65535 (line 4)"},
      {"listen: 0.0.0.0:http", "listen: port must be a number from 0 to 65535 (line 4)"},
      {"listen: \"0.0.0.0:\"", "listen: port must be a number from 0 to 65535 (line 4)"},
      {"listen: ::1:8080", "listen: IPv6 addresses must be in brackets, as in [::1] (line 4)"},
      {"listen: \":8080\"", "listen: has no host (line 4)"},
      {"listen: \"[::1\"", "listen: has a [ without its ] (line 4)"},
      {"listen: \"[::1]8080\"", "listen: has unexpected text after ] (line 4)"},
      {"listen: \"[zz]:1\"", "listen: has an invalid IPv6 address \"zz\" (line 4)"},
      {"listen: \"my host:1\"", "listen: has an invalid host \"my host\" (line 4)"},
      {"listen: {host: a}", "listen: must be a string (line 4)"},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(with_models(yaml))), lines{expected}) << yaml;
  }
}

TEST(ConfigParse, UnquotedIpv6ListenIsAYamlSyntaxError) {
  EXPECT_EQ(messages(parse_with(with_models("listen: [::1]:8080"))),
            lines{"invalid YAML: end of map not found (line 4)"});
}

TEST(ConfigParse, Workers) {
  EXPECT_EQ(parse_with(with_models("workers: 0")).value->workers, 0);
  EXPECT_EQ(parse_with(with_models("workers: 12")).value->workers, 12);
  EXPECT_EQ(messages(parse_with(with_models("workers: -1"))),
            lines{"workers: must be a non-negative integer (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("workers: two"))),
            lines{"workers: must be a non-negative integer (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("workers: 1.5"))),
            lines{"workers: must be a non-negative integer (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("workers: 99999999999"))),
            lines{"workers: must be a non-negative integer (line 4)"});
}

// ---- unknown keys and types ----

TEST(ConfigParse, UnknownTopLevelKey) {
  EXPECT_EQ(messages(parse_with(with_models("listn: 0.0.0.0:1"))), lines{"listn: unknown key (line 4)"});
}

TEST(ConfigParse, UnknownEntryKey) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    max_concurent: 4
)");
  EXPECT_EQ(messages(result), lines{"models[0].max_concurent: unknown key (line 4)"});
  EXPECT_FALSE(result.value);
}

TEST(ConfigParse, UnknownDefaultsAndLimitsKeys) {
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  connect: 1s\n"))),
            lines{"defaults.connect: unknown key (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("limits:\n  max_body_bytes: 1\n"))),
            lines{"limits.max_body_bytes: unknown key (line 5)"});
}

TEST(ConfigParse, DuplicateKey) {
  EXPECT_EQ(messages(parse_with(with_models("workers: 1\nworkers: 2\n"))), lines{"workers: duplicate key (line 5)"});
}

TEST(ConfigParse, NonScalarKey) {
  EXPECT_EQ(messages(parse_with(with_models("? [a, b]\n: 1\n"))), lines{"keys must be strings (line 4)"});
}

TEST(ConfigParse, WrongTypes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"models: {name: a}", "models: must be a sequence (line 1)"},
      {"models: [just-a-name]", "models[0]: must be a map (line 1)"},
      {"models:\n  - name: [a]\n    endpoint: http://h", "models[0].name: must be a string (line 2)"},
      {"models:\n  - name: a\n    endpoint: {url: x}", "models[0].endpoint: must be a string (line 3)"},
      {"models:\n  - name: a\n    endpoint: http://h\n    headers: [X-A]", "models[0].headers: must be a map (line 4)"},
      {"models:\n  - name: a\n    endpoint: http://h\n    fallbacks: b",
       "models[0].fallbacks: must be a sequence (line 4)"},
      {"models:\n  - name: a\n    endpoint: http://h\n    model: [x]", "models[0].model: must be a string (line 4)"},
      {"models:\n  - name: a\n    endpoint: http://h\n    api_key: {k: v}",
       "models[0].api_key: must be a string (line 4)"},
      {"models:\n  - name: a\n    endpoint: http://h\n    weight: heavy",
       "models[0].weight: must be a positive integer (line 4)"},
      {"models:\n  - name: a\n    endpoint: http://h\ndefaults: 5", "defaults: must be a map (line 4)"},
      {"models:\n  - name: a\n    endpoint: http://h\nlimits: []", "limits: must be a map (line 4)"},
      {"models:\n  - name: a\n    endpoint: http://h\ndefault_model: [a]", "default_model: must be a string (line 4)"},
      {"- models", "the top level must be a map (line 1)"},
      {"just text", "the top level must be a map (line 1)"},
  };
  for (const auto& [yaml, expected] : cases) {
    const auto result = parse_with(yaml);
    EXPECT_EQ(messages(result), lines{expected}) << yaml;
    EXPECT_FALSE(result.value) << yaml;
  }
}

// ---- models and entries ----

TEST(ConfigParse, MissingOrEmptyModels) {
  EXPECT_EQ(messages(parse_with("")), lines{"models: is required"});
  EXPECT_EQ(messages(parse_with("# nothing here\n")), lines{"models: is required"});
  EXPECT_EQ(messages(parse_with("workers: 2\n")), lines{"models: is required"});
  EXPECT_EQ(messages(parse_with("models: []\n")), lines{"models: must list at least one model (line 1)"});
  EXPECT_EQ(messages(parse_with("models:\n")), lines{"models: must list at least one model (line 1)"});
}

TEST(ConfigParse, NonPositiveMaxConcurrentReportsItsLine) {
  auto yaml = std::string(seed_yaml);
  yaml.replace(yaml.find("max_concurrent: 8"), 17, "max_concurrent: 0");
  EXPECT_EQ(messages(parse_with(yaml)), lines{"models[1].max_concurrent: must be a positive integer (line 7)"});

  const auto result = parse_with(R"(models:
  - name: primary
    endpoint: http://localhost:8001
    max_concurrent: 4

  # spare capacity
  - name: fallback
    endpoint: http://localhost:8002
    max_concurrent: -2
)");
  EXPECT_EQ(messages(result), lines{"models[1].max_concurrent: must be a positive integer (line 9)"});
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].path, "models[1].max_concurrent");
  EXPECT_EQ(result.problems[0].message, "must be a positive integer");
  EXPECT_EQ(result.problems[0].line, 9);
}

TEST(ConfigParse, NonPositiveWeight) {
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    weight: 0\n")),
            lines{"models[0].weight: must be a positive integer (line 4)"});
}

TEST(ConfigParse, MissingNameAndEndpoint) {
  EXPECT_EQ(messages(parse_with("models:\n  - endpoint: http://h\n")), lines{"models[0].name: is required (line 2)"});
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n")), lines{"models[0].endpoint: is required (line 2)"});
  EXPECT_EQ(messages(parse_with("models:\n  - max_concurrent: 2\n")),
            (lines{"models[0].name: is required (line 2)", "models[0].endpoint: is required (line 2)"}));
}

TEST(ConfigParse, EmptyStrings) {
  EXPECT_EQ(messages(parse_with("models:\n  - name: \"\"\n    endpoint: http://h\n")),
            lines{"models[0].name: must not be empty (line 2)"});
  EXPECT_EQ(messages(parse_with("models:\n  - name:\n    endpoint: http://h\n")),
            lines{"models[0].name: must not be empty (line 2)"});
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    api_key: ''\n")),
            lines{"models[0].api_key: must not be empty (line 4)"});
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    model:\n")),
            lines{"models[0].model: must not be empty (line 4)"});
}

TEST(ConfigParse, HttpsEndpoint) {
  const auto result = parse_with("models:\n  - name: a\n    endpoint: https://api.openai.com/v1\n");
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& url = result.value->models[0].url;
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.port, "443");
  EXPECT_TRUE(url.tls());
}

TEST(ConfigParse, BadEndpoints) {
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: ftp://h/v1\n")),
            lines{"models[0].endpoint: scheme must be http or https (line 3)"});
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: localhost:8001\n")),
            lines{"models[0].endpoint: must be a URL such as http://localhost:8001/v1 (line 3)"});
}

TEST(ConfigParse, ApiKeyWithLineBreak) {
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    api_key: \"sk\\r\\nX-Evil: 1\"\n")),
            lines{"models[0].api_key: must not contain CR, LF or other control characters (line 4)"});
}

// ---- fallbacks and default_model ----

TEST(ConfigParse, FallbackMustNameAGroup) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks:
      - b
      - typo
  - name: b
    endpoint: http://h:2
)");
  EXPECT_EQ(messages(result), lines{"models[0].fallbacks[1]: no model group is named \"typo\" (line 6)"});
}

TEST(ConfigParse, GroupMayNotFallBackToItself) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
  - name: a
    endpoint: http://h:2
    fallbacks: [a]
)");
  EXPECT_EQ(messages(result), lines{"models[1].fallbacks[0]: a group may not list itself as a fallback (line 6)"});
}

TEST(ConfigParse, EmptyFallbackName) {
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    fallbacks: ['']\n")),
            lines{"models[0].fallbacks[0]: must not be empty (line 4)"});
}

TEST(ConfigParse, TwoGroupFallbackCycle) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks: [b]
  - name: b
    endpoint: http://h:2
    fallbacks: [a]
)");
  EXPECT_EQ(messages(result), lines{"models[1].fallbacks[0]: fallback cycle a -> b -> a (line 7)"});
  EXPECT_FALSE(result.value);
}

TEST(ConfigParse, ThreeGroupFallbackCycle) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks: [b]
  - name: c
    endpoint: http://h:3
    fallbacks: [x, a]
  - name: b
    endpoint: http://h:2
    fallbacks: [c]
  - name: x
    endpoint: http://h:4
)");
  EXPECT_EQ(messages(result), lines{"models[1].fallbacks[1]: fallback cycle a -> b -> c -> a (line 7)"});
}

TEST(ConfigParse, DiamondIsNotACycle) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks: [b, c]
  - name: b
    endpoint: http://h:2
    fallbacks: [d]
  - name: c
    endpoint: http://h:3
    fallbacks: [d]
  - name: d
    endpoint: http://h:4
    fallbacks: []
)");
  EXPECT_EQ(messages(result), lines{});
}

TEST(ConfigParse, CycleReachedFromOutsideNamesOnlyItsGroups) {
  const auto result = parse_with(R"(models:
  - name: x
    endpoint: http://h:1
    fallbacks: [a]
  - name: a
    endpoint: http://h:2
    fallbacks: [b]
  - name: b
    endpoint: http://h:3
    fallbacks: [a]
)");
  EXPECT_EQ(messages(result), lines{"models[2].fallbacks[0]: fallback cycle a -> b -> a (line 10)"});
}

TEST(ConfigParse, EveryCycleIsReportedOnce) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks: [b, c]
  - name: b
    endpoint: http://h:2
    fallbacks: [a]
  - name: b
    endpoint: http://h:3
    fallbacks: [a]
  - name: c
    endpoint: http://h:4
    fallbacks:
      - a
  - name: d
    endpoint: http://h:5
    fallbacks: [e]
  - name: e
    endpoint: http://h:6
    fallbacks: [d]
)");
  EXPECT_EQ(messages(result), (lines{"models[1].fallbacks[0]: fallback cycle a -> b -> a (line 7)",
                                     "models[3].fallbacks[0]: fallback cycle a -> c -> a (line 14)",
                                     "models[5].fallbacks[0]: fallback cycle d -> e -> d (line 20)"}));
}

TEST(ConfigParse, FallbacksOfReplicasFormOneGroupsEdges) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks: []
  - name: b
    endpoint: http://h:2
    fallbacks: [a]
  - name: a
    endpoint: http://h:3
    fallbacks: [b]
)");
  EXPECT_EQ(messages(result), lines{"models[1].fallbacks[0]: fallback cycle a -> b -> a (line 7)"});
}

TEST(ConfigParse, SelfFallbackIsNotAlsoACycle) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks: [a, ghost, b]
  - name: b
    endpoint: http://h:2
)");
  EXPECT_EQ(messages(result), (lines{"models[0].fallbacks[0]: a group may not list itself as a fallback (line 4)",
                                     "models[0].fallbacks[1]: no model group is named \"ghost\" (line 4)"}));
}

TEST(ConfigParse, ContextWindowFallbacksTakeNoPartInCycles) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h:1
    fallbacks: [b]
    context_window_fallbacks: [b]
  - name: b
    endpoint: http://h:2
    context_window_fallbacks: [a]
)");
  EXPECT_EQ(messages(result), lines{});
}

TEST(ConfigParse, FallbacksOfAnUnnamedEntryAreNotFollowed) {
  const auto result = parse_with(R"(models:
  - endpoint: http://h:1
    fallbacks: [b]
  - name: b
    endpoint: http://h:2
    fallbacks: [b]
)");
  EXPECT_EQ(messages(result), (lines{"models[0].name: is required (line 2)",
                                     "models[1].fallbacks[0]: a group may not list itself as a fallback (line 6)"}));
}

TEST(ConfigParse, DefaultModelMustNameAGroup) {
  EXPECT_EQ(messages(parse_with(std::string(seed_yaml) + "default_model: primray\n")),
            lines{"default_model: no model group is named \"primray\" (line 8)"});
}

TEST(ConfigParse, DefaultModelNamesAnyGroup) {
  EXPECT_EQ(parse_with(std::string(seed_yaml) + "default_model: fallback\n").value->default_model, "fallback");
}

TEST(ConfigParse, DefaultModelNullMeansNone) {
  for (const char* value : {"null", "~", ""}) {
    const auto result = parse_with(std::string(seed_yaml) + "default_model: " + value + "\n");
    ASSERT_TRUE(result.value) << value;
    EXPECT_EQ(result.value->default_model, std::nullopt) << value;
  }
}

TEST(ConfigParse, QuotedNullIsAGroupName) {
  EXPECT_EQ(messages(parse_with(std::string(seed_yaml) + "default_model: \"null\"\n")),
            lines{"default_model: no model group is named \"null\" (line 8)"});
}

// ---- ${VAR} expansion ----

TEST(ConfigParse, EnvExpansion) {
  const auto result = parse_with(R"(listen: ${BIND}:${PORT}
models:
  - name: ${NAME}
    endpoint: http://${HOST}:8001/v1
    max_concurrent: ${N}
    api_key: ${OPENAI_API_KEY}
    headers:
      X-Cost: $$5 ${} ${1A} ${A-B} $NAME ${NAME
    fallbacks: ["${NAME}2"]
  - name: ${NAME}2
    endpoint: http://h:2
)",
                                 env_map{{"BIND", "127.0.0.1"},
                                         {"PORT", "0"},
                                         {"NAME", "gpt"},
                                         {"HOST", "gpu-7"},
                                         {"N", "12"},
                                         {"OPENAI_API_KEY", "sk-from-env"}});
  ASSERT_TRUE(result.problems.empty()) << messages(result).front();
  const config& cfg = *result.value;
  EXPECT_EQ(cfg.listen_host, "127.0.0.1");
  EXPECT_EQ(cfg.listen_port, "0");
  const auto& e = cfg.models[0];
  EXPECT_EQ(e.name, "gpt");
  EXPECT_EQ(e.endpoint, "http://gpu-7:8001/v1");
  EXPECT_EQ(e.url.host, "gpu-7");
  EXPECT_EQ(e.max_concurrent, 12);
  EXPECT_EQ(e.api_key, "sk-from-env");
  ASSERT_EQ(e.headers.size(), 1u);
  EXPECT_EQ(e.headers[0].value, "$$5 ${} ${1A} ${A-B} $NAME ${NAME");
  EXPECT_EQ(e.fallbacks, std::vector<std::string>{"gpt2"});
  EXPECT_EQ(cfg.default_model, "gpt");
}

TEST(ConfigParse, EnvValueIsNotExpandedAgain) {
  const auto result =
      parse_with("models:\n  - name: a\n    endpoint: http://h\n    api_key: ${K}\n", env_map{{"K", "${OTHER}"}});
  ASSERT_TRUE(result.value);
  EXPECT_EQ(result.value->models[0].api_key, "${OTHER}");
}

TEST(ConfigParse, EnvExpansionIsAppliedBeforeInterpretation) {
  const auto result = parse_with(with_models("limits:\n  max_body_size: ${SIZE}\n  client_idle_timeout: ${IDLE}\n"),
                                 env_map{{"SIZE", "2MiB"}, {"IDLE", "250ms"}});
  ASSERT_TRUE(result.value);
  EXPECT_EQ(result.value->limit.max_body_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(result.value->limit.client_idle_timeout, 250ms);

  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    max_concurrent: ${N}\n",
                                env_map{{"N", "0"}})),
            lines{"models[0].max_concurrent: must be a positive integer (line 4)"});
}

TEST(ConfigParse, MissingEnvVar) {
  const auto result = parse_with(R"(models:
  - name: openai
    endpoint: http://localhost:8001/v1
    max_concurrent: 4
    api_key: ${OPENAI_API_KEY}
)");
  EXPECT_EQ(messages(result), lines{"models[0].api_key: environment variable OPENAI_API_KEY is not set (line 5)"});
  EXPECT_FALSE(result.value);
}

TEST(ConfigParse, EveryMissingEnvVarIsReported) {
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://${H}:${P}\n", env_map{{"X", "1"}})),
            (lines{"models[0].endpoint: environment variable H is not set (line 3)",
                   "models[0].endpoint: environment variable P is not set (line 3)"}));
}

// ---- durations, sizes and headers ----

TEST(ConfigParse, BadDurations) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"defaults:\n  connect_timeout: 5x",
       "defaults.connect_timeout: must be a duration such as 250ms, 2s or 5m (line 5)"},
      {"defaults:\n  idle_timeout: -1s", "defaults.idle_timeout: must be a duration such as 250ms, 2s or 5m (line 5)"},
      {"defaults:\n  request_timeout: 0", "defaults.request_timeout: must be greater than zero (line 5)"},
      {"defaults:\n  first_byte_timeout: 0ms", "defaults.first_byte_timeout: must be greater than zero (line 5)"},
      {"defaults:\n  first_byte_timeout: [1s]",
       "defaults.first_byte_timeout: must be a duration such as 250ms, 2s or 5m (line 5)"},
      {"limits:\n  client_idle_timeout: soon",
       "limits.client_idle_timeout: must be a duration such as 250ms, 2s or 5m (line 5)"},
      {"limits:\n  client_header_timeout: 0s", "limits.client_header_timeout: must be greater than zero (line 5)"},
      {"limits:\n  max_headers: 0", "limits.max_headers: must be a positive integer (line 5)"},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(with_models(yaml))), lines{expected}) << yaml;
  }
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    idle_timeout: 2 s\n")),
            lines{"models[0].idle_timeout: must be a duration such as 250ms, 2s or 5m (line 4)"});
}

TEST(ConfigParse, BadSizes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"16 MiB", "limits.max_body_size: must be a size such as 512KiB, 16MiB or 1000000 (line 5)"},
      {"16mb", "limits.max_body_size: must be a size such as 512KiB, 16MiB or 1000000 (line 5)"},
      {"1.5MiB", "limits.max_body_size: must be a size such as 512KiB, 16MiB or 1000000 (line 5)"},
      {"-1", "limits.max_body_size: must be a size such as 512KiB, 16MiB or 1000000 (line 5)"},
      {"0", "limits.max_body_size: must be greater than zero (line 5)"},
      {"0KiB", "limits.max_body_size: must be greater than zero (line 5)"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(messages(parse_with(with_models("limits:\n  max_body_size: " + value + "\n"))), lines{expected}) << value;
  }
}

TEST(ConfigParse, BadHeaders) {
  const auto result = parse_with(R"(models:
  - name: a
    endpoint: http://h
    headers:
      "Bad Name": x
      Host: example.com
      content-length: "5"
      Transfer-Encoding: chunked
      CONNECTION: close
      X-Split: "a\r\nX-Injected: 1"
      X-Dup: one
      x-dup: two
      X-List: [a, b]
      X-Ok: ""
)");
  EXPECT_EQ(messages(result),
            (lines{"models[0].headers.Bad Name: is not a valid header name (line 5)",
                   "models[0].headers.Host: cannot be set: llm-d manages this header (line 6)",
                   "models[0].headers.content-length: cannot be set: llm-d manages this header (line 7)",
                   "models[0].headers.Transfer-Encoding: cannot be set: llm-d manages this header (line 8)",
                   "models[0].headers.CONNECTION: cannot be set: llm-d manages this header (line 9)",
                   "models[0].headers.X-Split: must not contain CR, LF or other control characters (line 10)",
                   "models[0].headers.x-dup: duplicate header (names are case-insensitive) (line 12)",
                   "models[0].headers.X-List: must be a string (line 13)"}));
}

TEST(ConfigParse, AuthorizationHeaderConflictsWithApiKey) {
  const char* yaml = R"(models:
  - name: a
    endpoint: http://h
    api_key: sk-1
    headers:
      authorization: Bearer other
)";
  EXPECT_EQ(messages(parse_with(yaml)),
            lines{"models[0].headers.authorization: cannot be set together with api_key (line 6)"});

  const auto alone =
      parse_with("models:\n  - name: a\n    endpoint: http://h\n    headers:\n      Authorization: Basic eA==\n");
  ASSERT_TRUE(alone.value);
  EXPECT_EQ(alone.value->models[0].headers[0].value, "Basic eA==");
}

// ---- whole-file problems ----

TEST(ConfigParse, EveryProblemIsReportedInFileOrder) {
  const auto result = parse_with(R"(listen: nowhere
workers: -4
models:
  - name: primary
    endpoint: gopher://localhost:8001/v1
    max_concurrent: 0
    api_key: ${MISSING_KEY}
  - endpoint: http://localhost:8002
    fallbacks: [primary, ghost]
    weight: 1.5
  - 42
defaults:
  connect_timeout: fast
  bogus: 1
limits:
  max_body_size: lots
default_model: nobody
)");
  EXPECT_EQ(messages(result),
            (lines{"listen: must be HOST:PORT such as 0.0.0.0:8080 or \"[::1]:8080\" (line 1)",
                   "workers: must be a non-negative integer (line 2)",
                   "models[0].endpoint: scheme must be http or https (line 5)",
                   "models[0].max_concurrent: must be a positive integer (line 6)",
                   "models[0].api_key: environment variable MISSING_KEY is not set (line 7)",
                   "models[1].name: is required (line 8)",
                   "models[1].fallbacks[1]: no model group is named \"ghost\" (line 9)",
                   "models[1].weight: must be a positive integer (line 10)", "models[2]: must be a map (line 11)",
                   "defaults.connect_timeout: must be a duration such as 250ms, 2s or 5m (line 13)",
                   "defaults.bogus: unknown key (line 14)",
                   "limits.max_body_size: must be a size such as 512KiB, 16MiB or 1000000 (line 16)",
                   "default_model: no model group is named \"nobody\" (line 17)"}));
  EXPECT_FALSE(result.value);
}

TEST(ConfigParse, YamlSyntaxError) {
  const auto result = parse_with("models:\n  - name: a\n    endpoint: [http://h\n");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].path, "");
  EXPECT_EQ(result.problems[0].message, "invalid YAML: end of sequence flow not found");
  EXPECT_EQ(result.problems[0].line, 4);
  EXPECT_EQ(result.problems[0].to_string(), "invalid YAML: end of sequence flow not found (line 4)");
  EXPECT_FALSE(result.value);

  EXPECT_EQ(messages(parse_with("models:\n  - name: a: b\n")), lines{"invalid YAML: illegal map value (line 2)"});
}

TEST(ConfigParse, OnlyOneDocument) {
  EXPECT_EQ(messages(parse_with(std::string(one_model) + "---\nworkers: 1\n")),
            lines{"the file must hold a single YAML document (line 5)"});
}

// yaml-cpp 0.7's LoadAll never returns on these: it makes the same empty document again and
// again, growing without bound (found by tests/fuzz/config_fuzz.cpp).
TEST(ConfigParse, StreamThatYamlCppRepeatsForeverIsInvalid) {
  EXPECT_EQ(messages(parse_with(",{")), lines{"invalid YAML: unexpected token (line 1)"});
  EXPECT_EQ(messages(parse_with("\n\n, Ollama {\nl")), lines{"invalid YAML: unexpected token (line 3)"});
  EXPECT_EQ(messages(parse_with(std::string(one_model) + "---\n,\n")),
            lines{"the file must hold a single YAML document (line 5)"});
}

TEST(ConfigParse, ProblemToString) {
  EXPECT_EQ(
      (problem{.path = "models[1].max_concurrent", .message = "must be a positive integer", .line = 9}.to_string()),
      "models[1].max_concurrent: must be a positive integer (line 9)");
  EXPECT_EQ((problem{.path = "models", .message = "is required", .line = 0}.to_string()), "models: is required");
  EXPECT_EQ((problem{.path = "", .message = "invalid YAML: x", .line = 3}.to_string()), "invalid YAML: x (line 3)");
  EXPECT_EQ((problem{.path = "", .message = "cannot read f", .line = 0}.to_string()), "cannot read f");
}

}  // namespace
}  // namespace llmd::config
