// One access-log line per request, from its record, as text or JSON, to stderr or a file that
// SIGUSR1 reopens.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(access_log, writes_one_json_line_per_request_with_what_happened) {
  mock a("a");
  temp_dir dir;
  const auto path = dir.path() + "/access.log";
  gateway llmd("default_model: null\nmodels:\n" + model_entry("a", a), {"--access-log", path, "--log-format", "json"});
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("a"), {{"x-request-id", "req-1"}}).status, 200u);
  ASSERT_EQ(llmd.post("/v1/chat/completions?key=hidden", chat_body("no\"pe\n")).status, 404u);
  ASSERT_TRUE(eventually([&] { return lines_of(path).size() == 2; }, 10s, "two lines in the access log"));

  // Each worker writes its own batch: two requests served by two workers may come in either order.
  auto lines = lines_of(path);
  if (nlohmann::json::parse(lines[0])["status"] != 200) std::swap(lines[0], lines[1]);
  const auto served = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(served["request_id"], "req-1");
  EXPECT_EQ(served["method"], "POST");
  EXPECT_EQ(served["path"], "/v1/chat/completions");
  EXPECT_EQ(served["status"], 200);
  EXPECT_EQ(served["model"], "a");
  EXPECT_EQ(served["group"], "a");
  EXPECT_EQ(served["backend"], replica_id("a", a));
  ASSERT_EQ(served["attempts"].size(), 1u);
  EXPECT_EQ(served["attempts"][0]["backend"], replica_id("a", a));
  EXPECT_EQ(served["attempts"][0]["status"], 200);
  EXPECT_EQ(served["attempts"][0]["failure"], nullptr);
  EXPECT_EQ(served["end"], "answered");
  EXPECT_GT(served["bytes_in"].get<int>(), 0);
  EXPECT_GT(served["bytes_out"].get<int>(), 0);
  EXPECT_GE(served["duration_s"].get<double>(), served["ttfb_s"].get<double>());
  EXPECT_TRUE(served["time"].is_string());
  EXPECT_TRUE(served["client"].get<std::string>().starts_with("127.0.0.1:"));

  const auto refused = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(refused["status"], 404);
  EXPECT_EQ(refused["model"], "no\"pe\n");
  EXPECT_EQ(refused["path"], "/v1/chat/completions");  // the query stays out
  EXPECT_EQ(refused["backend"], nullptr);
  EXPECT_EQ(refused["rejected"], "unknown_model");
  EXPECT_EQ(refused["end"], "refused");
  EXPECT_EQ(lines[1].find("hidden"), std::string::npos);
}

TEST(access_log, carries_the_token_usage_of_plain_and_streamed_answers) {
  mock a("a", {"--tokens", "5"});
  mock broken("broken", {"--break-after", "2"});
  temp_dir dir;
  const auto path = dir.path() + "/access.log";
  gateway llmd("models:\n" + model_entry("a", a) + model_entry("broken", broken),
               {"--access-log", path, "--log-format", "json"});
  const auto plain = llmd.post("/v1/chat/completions", chat_body("a"));
  ASSERT_EQ(plain.status, 200u);
  ASSERT_TRUE(eventually([&] { return lines_of(path).size() == 1; }, 10s, "the plain answer's line"));
  const auto streamed = llmd.post("/v1/chat/completions", chat_stream_with_usage("a"));
  ASSERT_EQ(streamed.status, 200u);
  ASSERT_TRUE(eventually([&] { return lines_of(path).size() == 2; }, 10s, "the stream's line"));
  // Cut off before its usage event: nothing seen, nothing claimed.
  llmd.post("/v1/chat/completions", chat_stream_with_usage("broken"));
  ASSERT_TRUE(eventually([&] { return lines_of(path).size() == 3; }, 10s, "the broken stream's line"));

  const auto lines = lines_of(path);
  for (const auto& [line, body] : {std::pair{lines[0], plain.body}, std::pair{lines[1], streamed.body}}) {
    const auto logged = nlohmann::json::parse(line);
    const auto usage = usage_of(body);
    EXPECT_EQ(logged["prompt_tokens"], usage["prompt_tokens"]) << line;
    EXPECT_EQ(logged["completion_tokens"], 5) << line;
  }
  const auto cut = nlohmann::json::parse(lines[2]);
  EXPECT_EQ(cut["end"], "upstream_broken");
  EXPECT_EQ(cut["prompt_tokens"], nullptr);
  EXPECT_EQ(cut["completion_tokens"], nullptr);
}

TEST(access_log, goes_to_stderr_as_text_by_default) {
  mock a("a");
  gateway llmd("models:\n" + model_entry("a", a));
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("a"), {{"x-request-id", "text-1"}}).status, 200u);
  const auto wanted = "\"POST /v1/chat/completions\" 200 ";
  ASSERT_TRUE(eventually([&] { return llmd.proc().log().find(wanted) != std::string::npos; }, 10s, "the text line"));
  const auto log = llmd.proc().log();
  const auto line = log.substr(log.find(wanted));
  EXPECT_NE(line.find("backend=" + replica_id("a", a)), std::string::npos) << line;
  EXPECT_NE(line.find("id=\"text-1\""), std::string::npos) << line;
}

TEST(access_log, is_left_out_with_off) {
  mock a("a");
  gateway llmd("models:\n" + model_entry("a", a), {"--access-log", "off"});
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
  ASSERT_EQ(llmd.get("/metrics").status, 200u);
  EXPECT_EQ(llmd.proc().log().find("/v1/chat/completions"), std::string::npos);
}

TEST(access_log, reopens_its_file_on_sigusr1_as_logrotate_expects) {
  mock a("a");
  temp_dir dir;
  const auto path = dir.path() + "/access.log";
  gateway llmd("models:\n" + model_entry("a", a), {"--access-log", path});
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
  ASSERT_TRUE(eventually([&] { return lines_of(path).size() == 1; }, 10s, "the first line"));
  std::filesystem::rename(path, path + ".1");
  ASSERT_EQ(::kill(llmd.proc().pid(), SIGUSR1), 0);
  ASSERT_TRUE(eventually([&] { return llmd.proc().log().find("access log reopened") != std::string::npos; }, 10s,
                         "the reopen"));
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
  ASSERT_TRUE(eventually([&] { return lines_of(path).size() == 1; }, 10s, "a line in the new file"));
  EXPECT_EQ(lines_of(path + ".1").size(), 1u);
}

TEST(access_log, a_path_it_cannot_write_stops_the_start_with_a_clear_error) {
  mock a("a");
  temp_dir dir;
  const auto cfg = dir.write("llm-d.yaml", "models:\n" + model_entry("a", a));
  const auto r = run(llmd_binary(), {"--config", cfg, "--listen", "127.0.0.1:0", "--access-log", dir.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("cannot open the access log"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace llmd::test
