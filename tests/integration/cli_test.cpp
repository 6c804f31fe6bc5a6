// The command line: --check-config, --version, --help and start-up errors.
#include <gtest/gtest.h>

#include <regex>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

TEST(cli, check_config_accepts_the_example) {
  const auto r = run(llmd_binary(), {"--check-config", LLMD_SOURCE_DIR "/config/llm-d.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(cli, check_config_prints_every_problem_with_its_line) {
  temp_dir dir;
  const auto path = dir.write("bad.yaml",
                              "models:\n"
                              "  - name: a\n"
                              "    endpoint: http://localhost:8001\n"
                              "    max_concurent: 4\n"
                              "  - name: b\n"
                              "    endpoint: http://localhost:8002\n"
                              "    max_concurrent: -1\n");
  const auto r = run(llmd_binary(), {"--check-config", path});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("models[0].max_concurent: unknown key (line 4)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("models[1].max_concurrent: must be a positive integer (line 7)"), std::string::npos)
      << r.output;
}

TEST(cli, check_config_warns_about_skipped_verification_and_succeeds) {
  temp_dir dir;
  const auto path = dir.write("insecure.yaml",
                              "models:\n"
                              "  - name: a\n"
                              "    endpoint: https://llm.internal\n"
                              "    tls:\n"
                              "      insecure_skip_verify: true\n");
  const auto r = run(llmd_binary(), {"--check-config", path});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("warning: models[0].tls.insecure_skip_verify: TLS verification is off: the server's "
                          "certificate is not checked, so a man in the middle can read prompts and API keys (line 5)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(path + ": ok"), std::string::npos) << r.output;
}

TEST(cli, the_daemon_logs_the_warning_at_start) {
  gateway llmd("models:\n  - name: a\n    endpoint: https://127.0.0.1:9\n    tls: {insecure_skip_verify: true}\n");
  EXPECT_TRUE(eventually([&] { return llmd.proc().log().find("TLS verification is off") != std::string::npos; },
                         std::chrono::seconds(5), "the warning in the log"))
      << llmd.proc().log();
}

TEST(cli, a_bad_config_stops_the_daemon_before_it_listens) {
  temp_dir dir;
  const auto r = run(llmd_binary(), {"--config", dir.write("bad.yaml", "models: []\n"), "--listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.output.find("listening"), std::string::npos) << r.output;
}

TEST(cli, version_and_help) {
  const auto v = run(llmd_binary(), {"--version"});
  EXPECT_EQ(v.exit_code, 0);
  // The version of CMakeLists.txt's project(), and the commit: git's, or "unknown" without git.
  const std::regex version("llm-d " LLMD_PROJECT_VERSION R"( \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n)");
  EXPECT_TRUE(std::regex_match(v.output, version)) << v.output;
  const auto h = run(llmd_binary(), {"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.output.find("--check-config"), std::string::npos);
  EXPECT_EQ(run(llmd_binary(), {"--bogus"}).exit_code, 2);
}

TEST(cli, config_comes_from_the_environment_too) {
  mock upstream("m");
  temp_dir dir;
  const auto path = dir.write("c.yaml", "models:\n  - name: m\n    endpoint: " + upstream.endpoint() + "\n");
  setenv("LLMD_CONFIG", path.c_str(), 1);
  process llmd(llmd_binary(), {"--listen", "127.0.0.1:0"});
  unsetenv("LLMD_CONFIG");
  EXPECT_EQ(call(llmd.port(), "POST", "/v1/chat/completions", chat_body("m")).status, 200u);
}

}  // namespace
}  // namespace llmd::test
