// No secret reaches a log line, at any level: keys of entries, credential headers, a client's
// Authorization, proxy credentials, keys in an endpoint's query. (Every llm-d log of the test run
// is also scanned for the suite's secrets at its end: see scan_logs.sh.)
#include <gtest/gtest.h>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

TEST(secrets, appear_in_no_log_line_even_at_debug_when_everything_fails) {
  mock failing("failing", {"--status", "500"});
  mock good("good");
  refusing_port dead;
  const std::string yaml =
      "models:\n"
      "  - name: keyed\n    endpoint: " + failing.endpoint() + "\n    api_key: sk-TESTSECRET-api\n"
      "    retries: 1\n    retry_backoff: 1ms\n    fallbacks: [headers]\n"
      "  - name: headers\n    endpoint: " + failing.endpoint() + "?key=TESTSECRET-query\n"
      "    headers:\n      x-api-key: TESTSECRET-xapikey\n      api-key: TESTSECRET-azure\n"
      "    fallbacks: [proxied]\n"
      "  - name: proxied\n    endpoint: " + good.endpoint() + "\n"
      "    proxy: http://user:TESTSECRET-proxy@127.0.0.1:" + std::to_string(dead.port()) + "\n"
      "    fallbacks: [dead]\n"
      "  - name: dead\n    endpoint: " + dead.endpoint() + "\n    api_key: sk-TESTSECRET-dead\n"
      "    fallbacks: [open]\n"
      "  - name: open\n    endpoint: " + failing.endpoint() + "\n";
  gateway llmd(yaml, {"--log-level", "debug", "--log-format", "json"});
  const auto r = llmd.post("/v1/chat/completions", chat_body("keyed"), {{"authorization", "Bearer TESTSECRET-client"}});
  EXPECT_EQ(r.status, 502u);
  const auto direct =
      llmd.post("/v1/chat/completions", chat_body("open"), {{"authorization", "Bearer TESTSECRET-client"}});
  EXPECT_EQ(direct.status, 502u);
  EXPECT_EQ(r.body.find("TESTSECRET"), std::string::npos) << r.body;
  EXPECT_EQ(llmd.get("/admin/backends").body.find("TESTSECRET"), std::string::npos);
  EXPECT_EQ(llmd.get("/metrics").body.find("TESTSECRET"), std::string::npos);

  // The upstream got the credentials it was given: they were in use, not absent.
  bool keyed_sent = false;
  for (const auto& seen : failing.requests()) {
    keyed_sent = keyed_sent || seen.dump().find("sk-TESTSECRET-api") != std::string::npos;
  }
  EXPECT_TRUE(keyed_sent);

  ASSERT_TRUE(eventually([&] { return llmd.proc().log().find("\"status\":502") != std::string::npos; },
                         std::chrono::seconds(10), "the access log's lines"));
  const auto log = llmd.proc().log();
  // The log says plenty: every failure, at debug level too.
  EXPECT_NE(log.find("failed"), std::string::npos) << log;
  EXPECT_NE(log.find(replica_id("keyed", failing)), std::string::npos) << log;
  EXPECT_EQ(log.find("TESTSECRET"), std::string::npos) << log;
}

}  // namespace
}  // namespace llmd::test
