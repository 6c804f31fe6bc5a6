// parse(): retries, health, queueing and the retry budget, in `defaults`, on entries and at the top level.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using namespace std::chrono_literals;
using testing::env_map;
using testing::lines;
using testing::messages;
using testing::parse_with;
using testing::seed_yaml;
using testing::with_models;

// An entry of group `a` with `keys` (indented as entry keys), starting on line 2.
std::string entry_with(std::string_view keys) {
  return "models:\n  - name: a\n    endpoint: http://h:1\n" + std::string(keys);
}

// ---- defaults ----

TEST(ResilienceParse, Defaults) {
  const auto result = parse_with(seed_yaml);
  ASSERT_TRUE(result.value) << messages(result).front();
  const config& cfg = *result.value;

  for (const entry_policy* policy : {&cfg.defaults, static_cast<const entry_policy*>(&cfg.models[1])}) {
    EXPECT_EQ(policy->retry.retries, 2);
    EXPECT_EQ(policy->retry.backoff, 50ms);
    EXPECT_EQ(policy->retry.backoff_max, 2s);
    EXPECT_TRUE(policy->context_window_fallbacks.empty());
    EXPECT_EQ(policy->health_check, std::nullopt);
    EXPECT_EQ(policy->slow_factor, 3.0);
  }
  EXPECT_EQ(cfg.queue.max_waiting, 1024u);
  EXPECT_EQ(cfg.queue.max_wait, 30s);
  EXPECT_EQ(cfg.health.failures_to_eject, 3);
  EXPECT_EQ(cfg.health.cooldown, 10s);
  EXPECT_EQ(cfg.health.max_cooldown, 5min);
  EXPECT_EQ(cfg.budget.percent, 20.0);
  EXPECT_EQ(cfg.budget.min_retries, 10);
}

TEST(ResilienceParse, EveryKeySet) {
  const auto result = parse_with(R"(defaults:
  retries: 4
  retry_backoff: 100ms
  retry_backoff_max: 5s
  context_window_fallbacks: [long]
  health_check:
    path: /v1/models
    interval: 10s
    timeout: 2s
  slow_factor: 2.5
queue:
  max_waiting: 0
  max_wait: 1m
health:
  failures_to_eject: 5
  cooldown: 30s
  max_cooldown: 10m
retry_budget:
  percent: 12.5%
  min_retries: 0
models:
  - name: chat
    endpoint: http://h:1
    retries: 1
    retry_backoff: 20ms
    retry_backoff_max: 200ms
    context_window_fallbacks: [long, chat-b]
    health_check:
      path: /ping
      interval: 3s
      timeout: 500ms
    slow_factor: 4
  - name: chat-b
    endpoint: http://h:2
  - name: long
    endpoint: http://h:3
)");
  ASSERT_TRUE(result.value) << messages(result).front();
  const config& cfg = *result.value;

  EXPECT_EQ(cfg.defaults.retry.retries, 4);
  EXPECT_EQ(cfg.defaults.retry.backoff, 100ms);
  EXPECT_EQ(cfg.defaults.retry.backoff_max, 5s);
  EXPECT_EQ(cfg.defaults.context_window_fallbacks, std::vector<std::string>{"long"});
  ASSERT_TRUE(cfg.defaults.health_check);
  EXPECT_EQ(cfg.defaults.health_check->path, "/v1/models");
  EXPECT_EQ(cfg.defaults.health_check->interval, 10s);
  EXPECT_EQ(cfg.defaults.health_check->timeout, 2s);
  EXPECT_EQ(cfg.defaults.slow_factor, 2.5);
  EXPECT_EQ(cfg.queue.max_waiting, 0u);
  EXPECT_EQ(cfg.queue.max_wait, 1min);
  EXPECT_EQ(cfg.health.failures_to_eject, 5);
  EXPECT_EQ(cfg.health.cooldown, 30s);
  EXPECT_EQ(cfg.health.max_cooldown, 10min);
  EXPECT_EQ(cfg.budget.percent, 12.5);
  EXPECT_EQ(cfg.budget.min_retries, 0);

  const auto& chat = cfg.models[0];
  EXPECT_EQ(chat.retry.retries, 1);
  EXPECT_EQ(chat.retry.backoff, 20ms);
  EXPECT_EQ(chat.retry.backoff_max, 200ms);
  EXPECT_EQ(chat.context_window_fallbacks, (std::vector<std::string>{"long", "chat-b"}));
  ASSERT_TRUE(chat.health_check);
  EXPECT_EQ(chat.health_check->path, "/ping");
  EXPECT_EQ(chat.health_check->interval, 3s);
  EXPECT_EQ(chat.health_check->timeout, 500ms);
  EXPECT_EQ(chat.slow_factor, 4.0);
}

TEST(ResilienceParse, EntryOverridesDefaultsKeyByKey) {
  const auto result = parse_with(R"(defaults:
  retries: 5
  retry_backoff: 100ms
  slow_factor: 1.5
  request_timeout: 1m
models:
  - name: a
    endpoint: http://h:1
    retries: 0
  - name: b
    endpoint: http://h:2
    retry_backoff_max: 1s
    slow_factor: 6
)");
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& a = result.value->models[0];
  EXPECT_EQ(a.retry.retries, 0);
  EXPECT_EQ(a.retry.backoff, 100ms);
  EXPECT_EQ(a.retry.backoff_max, 2s);
  EXPECT_EQ(a.slow_factor, 1.5);
  EXPECT_EQ(a.timeout.request, 1min);
  const auto& b = result.value->models[1];
  EXPECT_EQ(b.retry.retries, 5);
  EXPECT_EQ(b.retry.backoff, 100ms);
  EXPECT_EQ(b.retry.backoff_max, 1s);
  EXPECT_EQ(b.slow_factor, 6.0);
  EXPECT_EQ(b.timeout.request, 1min);
}

TEST(ResilienceParse, EnvExpansionAppliesToTheNewKeys) {
  const auto result = parse_with(with_models("defaults:\n  retries: ${R}\n  slow_factor: ${F}\nretry_budget: ${B}\n"),
                                 env_map{{"R", "7"}, {"F", "1.25"}, {"B", "5%"}});
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->models[0].retry.retries, 7);
  EXPECT_EQ(result.value->models[0].slow_factor, 1.25);
  EXPECT_EQ(result.value->budget.percent, 5.0);
}

// ---- retries and backoff ----

TEST(ResilienceParse, BadRetries) {
  for (const char* value : {"-1", "1.5", "two", "[1]", "99999999999", "\"\""}) {
    EXPECT_EQ(messages(parse_with(entry_with("    retries: " + std::string(value) + "\n"))),
              lines{"models[0].retries: must be a non-negative integer (line 4)"})
        << value;
  }
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  retries: -3\n"))),
            lines{"defaults.retries: must be a non-negative integer (line 5)"});
}

TEST(ResilienceParse, BadBackoffDurations) {
  EXPECT_EQ(messages(parse_with(entry_with("    retry_backoff: 0ms\n"))),
            lines{"models[0].retry_backoff: must be greater than zero (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  retry_backoff_max: soon\n"))),
            lines{"defaults.retry_backoff_max: must be a duration such as 250ms, 2s or 5m (line 5)"});
}

TEST(ResilienceParse, BackoffMustNotExceedItsMaximum) {
  const std::vector<std::pair<std::string, lines>> cases = {
      {"defaults:\n  retry_backoff: 3s\n", {"defaults.retry_backoff: must not exceed retry_backoff_max (2s) (line 5)"}},
      {"defaults:\n  retry_backoff_max: 10ms\n",
       {"defaults.retry_backoff_max: must not be less than retry_backoff (50ms) (line 5)"}},
      {"defaults:\n  retry_backoff_max: 1s\n  retry_backoff: 1500ms\n",
       {"defaults.retry_backoff: must not exceed retry_backoff_max (1s) (line 6)"}},
      {"defaults:\n  retry_backoff: 2m\n  retry_backoff_max: 90s\n",
       {"defaults.retry_backoff: must not exceed retry_backoff_max (90s) (line 5)"}},
      {"defaults:\n  retry_backoff: 1.6\n  retry_backoff_max: 1.5\n",
       {"defaults.retry_backoff: must not exceed retry_backoff_max (1500ms) (line 5)"}},
      {"defaults:\n  retry_backoff: 1s\n  retry_backoff_max: 1s\n", {}},
      // An unusable value is reported once, without a comparison built on the value it failed to replace.
      {"defaults:\n  retry_backoff: fast\n  retry_backoff_max: 10ms\n",
       {"defaults.retry_backoff: must be a duration such as 250ms, 2s or 5m (line 5)"}},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(with_models(yaml))), expected) << yaml;
  }
}

TEST(ResilienceParse, EntryBackoffIsCheckedAgainstTheInheritedMaximum) {
  const auto result = parse_with(R"(defaults:
  retry_backoff_max: 1s
models:
  - name: a
    endpoint: http://h:1
    retry_backoff: 1500ms
  - name: b
    endpoint: http://h:2
    retry_backoff_max: 20ms
)");
  EXPECT_EQ(messages(result),
            (lines{"models[0].retry_backoff: must not exceed retry_backoff_max (1s) (line 6)",
                   "models[1].retry_backoff_max: must not be less than retry_backoff (50ms) (line 9)"}));
}

TEST(ResilienceParse, ABadPairInDefaultsIsReportedOnlyThere) {
  const auto result = parse_with(R"(defaults:
  retry_backoff: 5s
models:
  - name: a
    endpoint: http://h:1
  - name: b
    endpoint: http://h:2
    retries: 1
)");
  EXPECT_EQ(messages(result), lines{"defaults.retry_backoff: must not exceed retry_backoff_max (2s) (line 2)"});
}

// ---- context_window_fallbacks ----

TEST(ResilienceParse, ContextWindowFallbacksInheritedFromDefaultsLeaveOutTheEntrysGroup) {
  const auto result = parse_with(R"(defaults:
  context_window_fallbacks: [long, longer]
models:
  - name: chat
    endpoint: http://h:1
  - name: long
    endpoint: http://h:2
  - name: longer
    endpoint: http://h:3
    context_window_fallbacks: []
)");
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& models = result.value->models;
  EXPECT_EQ(models[0].context_window_fallbacks, (std::vector<std::string>{"long", "longer"}));
  EXPECT_EQ(models[1].context_window_fallbacks, std::vector<std::string>{"longer"});
  EXPECT_EQ(models[2].context_window_fallbacks, std::vector<std::string>{});
  EXPECT_EQ(result.value->defaults.context_window_fallbacks, (std::vector<std::string>{"long", "longer"}));
}

TEST(ResilienceParse, ContextWindowFallbacksMustNameOtherGroups) {
  const auto result = parse_with(R"(defaults:
  context_window_fallbacks:
    - long
    - lnog
models:
  - name: a
    endpoint: http://h:1
    context_window_fallbacks: [a, long, ghost, '']
  - name: long
    endpoint: http://h:2
)");
  // Problems on one line keep the order they were found in: the empty name while reading, the others later.
  EXPECT_EQ(messages(result),
            (lines{"defaults.context_window_fallbacks[1]: no model group is named \"lnog\" (line 4)",
                   "models[0].context_window_fallbacks[3]: must not be empty (line 8)",
                   "models[0].context_window_fallbacks[0]: a group may not list itself as a fallback (line 8)",
                   "models[0].context_window_fallbacks[2]: no model group is named \"ghost\" (line 8)"}));
}

TEST(ResilienceParse, ContextWindowFallbacksMustBeASequence) {
  EXPECT_EQ(messages(parse_with(entry_with("    context_window_fallbacks: long\n"))),
            lines{"models[0].context_window_fallbacks: must be a sequence (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  context_window_fallbacks: {a: 1}\n"))),
            lines{"defaults.context_window_fallbacks: must be a sequence (line 5)"});
}

// ---- health_check ----

TEST(ResilienceParse, HealthCheckKeysDefaultEachOnItsOwn) {
  const auto result = parse_with(entry_with("    health_check: {}\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& check = result.value->models[0].health_check;
  ASSERT_TRUE(check);
  EXPECT_EQ(check->path, "/health");
  EXPECT_EQ(check->interval, 5s);
  EXPECT_EQ(check->timeout, 1s);

  const auto timeout_only = parse_with(entry_with("    health_check:\n      timeout: 250ms\n"));
  ASSERT_TRUE(timeout_only.value) << messages(timeout_only).front();
  EXPECT_EQ(timeout_only.value->models[0].health_check->path, "/health");
  EXPECT_EQ(timeout_only.value->models[0].health_check->interval, 5s);
  EXPECT_EQ(timeout_only.value->models[0].health_check->timeout, 250ms);
}

TEST(ResilienceParse, EntryHealthCheckReplacesTheDefaultsOneAsAWhole) {
  const auto result = parse_with(R"(defaults:
  health_check:
    path: /ready
    interval: 30s
    timeout: 3s
models:
  - name: a
    endpoint: http://h:1
  - name: b
    endpoint: http://h:2
    health_check:
      interval: 2s
)");
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& inherited = result.value->models[0].health_check;
  ASSERT_TRUE(inherited);
  EXPECT_EQ(inherited->path, "/ready");
  EXPECT_EQ(inherited->interval, 30s);
  EXPECT_EQ(inherited->timeout, 3s);
  const auto& replaced = result.value->models[1].health_check;
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->path, "/health");
  EXPECT_EQ(replaced->interval, 2s);
  EXPECT_EQ(replaced->timeout, 1s);
}

TEST(ResilienceParse, BadHealthChecks) {
  constexpr auto path_message = "must start with / and contain only visible ASCII characters (no spaces)";
  const std::vector<std::pair<std::string, lines>> cases = {
      {"health_check: true", {"models[0].health_check: must be a map (line 4)"}},
      {"health_check:", {"models[0].health_check: must be a map (line 4)"}},
      {"health_check: {path: health}", {"models[0].health_check.path: " + std::string(path_message) + " (line 4)"}},
      {"health_check: {path: \"/a b\"}", {"models[0].health_check.path: " + std::string(path_message) + " (line 4)"}},
      {"health_check: {path: ''}", {"models[0].health_check.path: must not be empty (line 4)"}},
      {"health_check: {path: [/a]}", {"models[0].health_check.path: must be a string (line 4)"}},
      {"health_check: {interval: 0}", {"models[0].health_check.interval: must be greater than zero (line 4)"}},
      {"health_check: {timeout: 1 s}",
       {"models[0].health_check.timeout: must be a duration such as 250ms, 2s or 5m (line 4)"}},
      {"health_check: {port: 9000}", {"models[0].health_check.port: unknown key (line 4)"}},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(entry_with("    " + yaml + "\n"))), expected) << yaml;
  }
}

TEST(ResilienceParse, HealthCheckTimeoutMustBeLessThanItsInterval) {
  const std::vector<std::pair<std::string, lines>> cases = {
      {"    health_check:\n      interval: 2s\n      timeout: 2s\n",
       {"models[0].health_check.timeout: must be less than interval (2s) (line 6)"}},
      {"    health_check:\n      timeout: 5s\n",
       {"models[0].health_check.timeout: must be less than interval (5s) (line 5)"}},
      {"    health_check:\n      interval: 500ms\n",
       {"models[0].health_check.interval: must be greater than timeout (1s) (line 5)"}},
      {"    health_check:\n      interval: 1.5s\n      timeout: 1499ms\n", {}},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(entry_with(yaml))), expected) << yaml;
  }
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  health_check: {timeout: 1h}\n"))),
            lines{"defaults.health_check.timeout: must be less than interval (5s) (line 5)"});
}

// ---- slow_factor ----

TEST(ResilienceParse, SlowFactor) {
  for (const auto& [value, expected] : std::vector<std::pair<std::string, double>>{
           {"3", 3.0}, {"2.5", 2.5}, {"1.01", 1.01}, {"10", 10.0}, {"\"4\"", 4.0}}) {
    const auto result = parse_with(entry_with("    slow_factor: " + value + "\n"));
    ASSERT_TRUE(result.value) << value << ": " << messages(result).front();
    EXPECT_EQ(result.value->models[0].slow_factor, expected) << value;
  }
}

TEST(ResilienceParse, BadSlowFactor) {
  for (const char* value : {"1", "1.0", "0.5", "0", "-2", "slow", "2.", ".5", "1e3", "inf", "2x", "[3]"}) {
    EXPECT_EQ(messages(parse_with(entry_with("    slow_factor: " + std::string(value) + "\n"))),
              lines{"models[0].slow_factor: must be a number greater than 1 (line 4)"})
        << value;
  }
}

// ---- queue ----

TEST(ResilienceParse, Queue) {
  const auto result = parse_with(with_models("queue:\n  max_waiting: 50\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->queue.max_waiting, 50u);
  EXPECT_EQ(result.value->queue.max_wait, 30s);
}

TEST(ResilienceParse, BadQueue) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"queue: 10", "queue: must be a map (line 4)"},
      {"queue:\n  max_waiting: -1", "queue.max_waiting: must be a non-negative integer (line 5)"},
      {"queue:\n  max_wait: 0s", "queue.max_wait: must be greater than zero (line 5)"},
      {"queue:\n  max_wait: forever", "queue.max_wait: must be a duration such as 250ms, 2s or 5m (line 5)"},
      {"queue:\n  size: 1", "queue.size: unknown key (line 5)"},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(with_models(yaml))), lines{expected}) << yaml;
  }
}

// ---- metrics scraping ----

TEST(ResilienceParse, MetricsScrape) {
  const auto result = parse_with(entry_with("    metrics: {interval: 4s}\n  - name: b\n    endpoint: http://h:2\n"
                                            "    metrics: {path: /stats, interval: 500ms, timeout: 100ms}\n"
                                            "  - name: c\n    endpoint: http://h:3\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& a = *result.value->models[0].metrics;
  EXPECT_EQ(a.path, "/metrics");
  EXPECT_EQ(a.interval, 4s);
  EXPECT_EQ(a.timeout, 1s);  // half the interval, at most 1 s
  const auto& b = *result.value->models[1].metrics;
  EXPECT_EQ(b.path, "/stats");
  EXPECT_EQ(b.interval, 500ms);
  EXPECT_EQ(b.timeout, 100ms);
  EXPECT_EQ(result.value->models[2].metrics, std::nullopt);
  const auto inherited = parse_with("defaults:\n  metrics: {interval: 1s}\n" + entry_with(""));
  ASSERT_TRUE(inherited.value) << messages(inherited).front();
  EXPECT_EQ(inherited.value->models[0].metrics->timeout, 500ms);
}

TEST(ResilienceParse, BadMetricsScrape) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"    metrics: {interval: 1s, timeout: 2s}\n", "models[0].metrics.timeout: must be less than interval (1s) (line 4)"},
      {"    metrics: {path: stats}\n",
       "models[0].metrics.path: must start with / and contain only visible ASCII characters (no spaces) (line 4)"},
      {"    metrics: {every: 1s}\n", "models[0].metrics.every: unknown key (line 4)"},
  };
  for (const auto& [keys, expected] : cases) {
    EXPECT_EQ(messages(parse_with(entry_with(keys))), lines{expected}) << keys;
  }
}

// ---- health ----

TEST(ResilienceParse, Health) {
  const auto result = parse_with(with_models("health:\n  failures_to_eject: 1\n  cooldown: 1s\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->health.failures_to_eject, 1);
  EXPECT_EQ(result.value->health.cooldown, 1s);
  EXPECT_EQ(result.value->health.max_cooldown, 5min);
}

TEST(ResilienceParse, BadHealth) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"health: []", "health: must be a map (line 4)"},
      {"health:\n  failures_to_eject: 0", "health.failures_to_eject: must be a positive integer (line 5)"},
      {"health:\n  cooldown: 0", "health.cooldown: must be greater than zero (line 5)"},
      {"health:\n  max_cooldown: long", "health.max_cooldown: must be a duration such as 250ms, 2s or 5m (line 5)"},
      {"health:\n  cooldown: 10m", "health.cooldown: must not exceed max_cooldown (5m) (line 5)"},
      {"health:\n  max_cooldown: 5s", "health.max_cooldown: must not be less than cooldown (10s) (line 5)"},
      {"health:\n  max_cooldown: 1m\n  cooldown: 2m", "health.cooldown: must not exceed max_cooldown (1m) (line 6)"},
      {"health:\n  eject_after: 2", "health.eject_after: unknown key (line 5)"},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(with_models(yaml))), lines{expected}) << yaml;
  }
  EXPECT_TRUE(parse_with(with_models("health:\n  cooldown: 1h\n  max_cooldown: 60m\n")).value);
}

// ---- retry_budget ----

TEST(ResilienceParse, RetryBudgetForms) {
  struct budget_case {
    std::string yaml;
    double percent;
    int min_retries;
  };
  const std::vector<budget_case> cases = {
      {"retry_budget: 20%", 20, 10},
      {"retry_budget: 20", 20, 10},
      {"retry_budget: 0", 0, 10},
      {"retry_budget: 0%", 0, 10},
      {"retry_budget: 100%", 100, 10},
      {"retry_budget: 2.5%", 2.5, 10},
      {"retry_budget: \"35\"", 35, 10},
      {"retry_budget: {percent: 5%}", 5, 10},
      {"retry_budget: {percent: 50, min_retries: 0}", 50, 0},
      {"retry_budget:\n  min_retries: 3", 20, 3},
      {"retry_budget: {}", 20, 10},
  };
  for (const auto& c : cases) {
    const auto result = parse_with(with_models(c.yaml));
    ASSERT_TRUE(result.value) << c.yaml << ": " << messages(result).front();
    EXPECT_EQ(result.value->budget.percent, c.percent) << c.yaml;
    EXPECT_EQ(result.value->budget.min_retries, c.min_retries) << c.yaml;
  }
}

TEST(ResilienceParse, BadRetryBudgets) {
  constexpr auto percent_message = "must be a percentage from 0 to 100 such as 20%";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"retry_budget: 101%", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget: 100.5", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget: -1%", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget: 20 %", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget: 20%%", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget: \"%\"", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget: lots", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget: [20]", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget:", "retry_budget: " + std::string(percent_message) + " (line 4)"},
      {"retry_budget:\n  percent: 120", "retry_budget.percent: " + std::string(percent_message) + " (line 5)"},
      {"retry_budget:\n  min_retries: -1", "retry_budget.min_retries: must be a non-negative integer (line 5)"},
      {"retry_budget:\n  ratio: 0.2", "retry_budget.ratio: unknown key (line 5)"},
  };
  for (const auto& [yaml, expected] : cases) {
    EXPECT_EQ(messages(parse_with(with_models(yaml))), lines{expected}) << yaml;
  }
}

// ---- which keys go where ----

TEST(ResilienceParse, DefaultsTakeNoPerEntryKeys) {
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  name: a\n  max_concurrent: 4\n  fallbacks: []\n"))),
            (lines{"defaults.name: unknown key (line 5)", "defaults.max_concurrent: unknown key (line 6)",
                   "defaults.fallbacks: unknown key (line 7)"}));
}

TEST(ResilienceParse, TopLevelSettingsAreNotEntryKeys) {
  EXPECT_EQ(messages(parse_with(entry_with("    queue: {max_waiting: 1}\n    retry_budget: 5%\n"))),
            (lines{"models[0].queue: unknown key (line 4)", "models[0].retry_budget: unknown key (line 5)"}));
}

}  // namespace
}  // namespace llmd::config
