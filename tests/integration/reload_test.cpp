// Live reload: SIGHUP, or a change of the file with watch_config, brings a new config in for new
// requests while requests in flight finish on the pool they started with.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "harness/certs.hpp"
#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

double reloads(const gateway& llmd, const std::string& result) {
  return scrape(llmd.get("/metrics").body).value("llmd_config_reloads_total", {{"result", result}});
}

testing::AssertionResult reloaded(const gateway& llmd, const std::string& result, double times) {
  return eventually([&] { return reloads(llmd, result) >= times; }, 10s,
                    "llmd_config_reloads_total{result=\"" + result + "\"} reaching " + std::to_string(times));
}

std::set<std::string> model_ids(const gateway& llmd) {
  std::set<std::string> ids;
  const auto list = json::parse(llmd.get("/v1/models").body);
  for (const auto& m : list["data"]) ids.insert(m["id"].get<std::string>());
  return ids;
}

// The text a stream carried: its events' delta contents in order. Fails the test on an error
// event or a stream that does not end with [DONE].
std::string streamed_text(const std::string& body) {
  std::string text;
  bool done = false;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    const auto end = body.find("\n\n", at);
    const auto payload = body.substr(at + 6, end - at - 6);
    at = end;
    if (payload == "[DONE]") {
      done = true;
      continue;
    }
    const auto event = json::parse(payload);
    EXPECT_FALSE(event.contains("error")) << payload;
    for (const auto& choice : event["choices"]) text += choice["delta"].value("content", "");
  }
  EXPECT_TRUE(done) << "the stream did not end with [DONE]";
  return text;
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

TEST(reload, adds_and_removes_models_while_a_stream_on_the_old_pool_completes_and_slots_carry_over) {
  // 50 tokens 200 ms apart: a 10-second stream.
  mock a("a", {"--tokens", "50", "--token-interval", "200ms"});
  mock b("b");
  mock c("c");
  const auto ida = replica_id("a", a);
  gateway llmd("default_model: null\nmodels:\n" + model_entry("a", a, "    max_concurrent: 1\n") + model_entry("b", b));
  ASSERT_EQ(model_ids(llmd), (std::set<std::string>{"a", "b"}));

  connection stream(llmd.port());
  stream.send("POST", "/v1/chat/completions", chat_body("a", true));
  ASSERT_EQ(stream.read_header().status, 200u);
  std::string body;
  const auto first = stream.read_piece();
  ASSERT_TRUE(first);
  body += first->data;

  // b goes, c comes; a stays, listed after c now, and falls back to c.
  llmd.reload("default_model: null\nmodels:\n" + model_entry("c", c) +
              model_entry("a", a, "    max_concurrent: 1\n    fallbacks: [c]\n"));
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  EXPECT_EQ(model_ids(llmd), (std::set<std::string>{"a", "c"}));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("b")).status, 404u);
  const auto to_c = llmd.post("/v1/chat/completions", chat_body("c"));
  ASSERT_EQ(to_c.status, 200u);
  EXPECT_EQ(to_c.header("x-llmd-backend"), replica_id("c", c));

  // a keeps its id, and the slot the stream holds: a is full, so a's request falls back to c.
  EXPECT_EQ(llmd.replica(ida)["in_flight"], 1);
  EXPECT_EQ(scrape(llmd.get("/metrics").body).value("llmd_inflight_requests", {{"backend", ida}}), 1);
  const auto overflow = llmd.post("/v1/chat/completions", chat_body("a"));
  ASSERT_EQ(overflow.status, 200u);
  EXPECT_EQ(overflow.header("x-llmd-backend"), replica_id("c", c));

  while (auto p = stream.read_piece()) body += p->data;
  // The slot comes back once the relay has ended, which the client may see first.
  ASSERT_TRUE(eventually([&] { return llmd.replica(ida)["in_flight"] == 0; }, 10s, "a's slot back"));
  const auto whole = llmd.post("/v1/chat/completions", chat_body("a"));
  ASSERT_EQ(whole.status, 200u);
  EXPECT_EQ(whole.header("x-llmd-backend"), ida);
  // The stream carried every token, as a's plain answer does.
  EXPECT_EQ(words(streamed_text(body)), words(json::parse(whole.body)["choices"][0]["message"]["content"]));
  EXPECT_EQ(a.stats()["requests"], 2);
  EXPECT_EQ(b.stats()["requests"], 0);
}

TEST(reload, an_invalid_file_is_refused_with_the_check_config_messages_and_changes_nothing) {
  mock a("a");
  const auto good = "models:\n" + model_entry("a", a);
  gateway llmd(good);
  // With a key beside the problems: the log may name the problems, never the key (test_logs
  // greps every log of the run for it).
  const auto bad =
      "models:\n" + model_entry("a", a, "    api_key: sk-TESTSECRET-reload\n    max_concurrent: -1\n    tiemout: 3s\n");
  llmd.reload(bad);
  ASSERT_TRUE(reloaded(llmd, "failure", 1));
  EXPECT_EQ(reloads(llmd, "success"), 0);
  EXPECT_EQ(model_ids(llmd), (std::set<std::string>{"a"}));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
  // Each problem --check-config names is in the log, word for word.
  temp_dir dir;
  const auto checked = run(llmd_binary(), {"--check-config", dir.write("bad.yaml", bad)});
  ASSERT_NE(checked.exit_code, 0);
  std::istringstream lines(checked.output);
  int problems = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("warning: ")) continue;
    ++problems;
    EXPECT_NE(llmd.proc().log().find(line), std::string::npos) << line;
  }
  EXPECT_EQ(problems, 2);
  // A file that is sound again is taken.
  llmd.reload("models:\n" + model_entry("a", a) + model_entry("a2", a));
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  EXPECT_EQ(model_ids(llmd), (std::set<std::string>{"a", "a2"}));
}

TEST(reload, settings_that_need_a_restart_are_logged_and_kept) {
  mock a("a");
  gateway llmd("workers: 2\nmodels:\n" + model_entry("a", a));
  // The file's listen gives way to --listen (the harness passes one), as at start.
  llmd.reload("workers: 3\nlisten: 127.0.0.1:1\nmodels:\n" + model_entry("a", a, "    max_concurrent: 7\n"));
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  EXPECT_EQ(llmd.replica(replica_id("a", a))["max_concurrent"], 7);
  const auto log = llmd.proc().log();
  EXPECT_NE(log.find("workers (2 -> 3) needs a restart"), std::string::npos) << log;
  EXPECT_EQ(log.find("listen ("), std::string::npos) << log;
  // Still where it was.
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("a")).status, 200u);
}

TEST(reload, probes_of_a_removed_replica_stop_and_those_of_an_added_one_start) {
  mock kept("kept");
  mock removed("removed");
  mock added("added");
  // The mocks log /v1 requests only: probe a /v1 path, every 50 ms.
  const std::string probed = "    health_check: {path: /v1/models, interval: 50ms, timeout: 40ms}\n";
  gateway llmd("models:\n" + model_entry("kept", kept, probed) + model_entry("removed", removed, probed));
  ASSERT_TRUE(eventually([&] { return removed.requests().size() >= 3; }, 10s, "the removed replica probed"));
  llmd.reload("models:\n" + model_entry("kept", kept, probed) + model_entry("added", added, probed));
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  const auto after_reload = removed.requests().size();
  // Ten probes of the added replica take at least 450 ms; the removed one gets none meanwhile,
  // beyond one that was under way.
  ASSERT_TRUE(eventually([&] { return added.requests().size() >= 10; }, 10s, "the added replica probed"));
  EXPECT_LE(removed.requests().size(), after_reload + 1);
  EXPECT_FALSE(kept.requests().empty());
}

TEST(reload, a_replica_no_longer_probed_sheds_its_failing_verdict_and_one_that_stays_keeps_it) {
  mock sick("sick", {"--health-status", "503"});
  mock other("other", {"--health-status", "503"});
  const std::string probed = "    health_check: {path: /health, interval: 50ms, timeout: 40ms}\n";
  gateway llmd("models:\n" + model_entry("sick", sick, probed) + model_entry("other", other, probed));
  const auto state = [&](const std::string& id) { return llmd.replica(id)["state"].get<std::string>(); };
  ASSERT_TRUE(eventually([&] { return state(replica_id("sick", sick)) == "probe_failing"; }, 10s, "sick ejected"));
  ASSERT_TRUE(eventually([&] { return state(replica_id("other", other)) == "probe_failing"; }, 10s, "other ejected"));
  // Probes every 10 s now: the verdict stands until the first of them.
  llmd.reload("models:\n" + model_entry("sick", sick) +
              model_entry("other", other, "    health_check: {path: /health, interval: 10s}\n"));
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  EXPECT_TRUE(eventually([&] { return state(replica_id("sick", sick)) == "healthy"; }, 10s, "sick readmitted"));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("sick")).status, 200u);
  EXPECT_EQ(state(replica_id("other", other)), "probe_failing");
}

// Files a test rewrites in place, as a certificate renewal does.
std::string copied(const temp_dir& dir, const std::string& name, const std::string& from) {
  const auto to = dir.path() + "/" + name;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  return to;
}

TEST(reload, reads_the_front_doors_certificate_again) {
  const auto& pki = test_pki::get();
  mock m("m");
  temp_dir files;
  const auto cert = copied(files, "cert.pem", pki.untrusted_cert);
  const auto key = copied(files, "key.pem", pki.untrusted_key);
  const auto yaml = "listen_tls:\n  cert: " + cert + "\n  key: " + key + "\nmodels:\n" + model_entry("m", m);
  gateway llmd(yaml);
  const tls_options old_ca{.ca_file = pki.untrusted_ca_cert};
  const tls_options new_ca{.ca_file = pki.ca_cert};
  ASSERT_EQ(call(llmd.port(), old_ca, "GET", "/health").status, 200u);
  // A connection made before the renewal keeps the certificate it was made with.
  connection before(llmd.port(), old_ca);

  copied(files, "cert.pem", pki.server_cert);
  copied(files, "key.pem", pki.server_key);
  llmd.reload(yaml);
  ASSERT_TRUE(eventually(
      [&] {
        try {
          return call(llmd.port(), new_ca, "GET", "/health").status == 200;
        } catch (const std::exception&) {
          return false;  // the old certificate still: its handshake fails
        }
      },
      10s, "the renewed certificate served"));
  EXPECT_THROW(call(llmd.port(), old_ca, "GET", "/health"), std::exception);
  before.send("GET", "/health");
  EXPECT_EQ(before.read_response().status, 200u);
}

TEST(reload, reads_an_upstreams_ca_file_again) {
  const auto& pki = test_pki::get();
  auto tls = pki.serving(pki.untrusted_cert, pki.untrusted_key);
  tls.control.ca_file = pki.untrusted_ca_cert;
  mock m("m", tls);
  temp_dir files;
  const auto ca = copied(files, "ca.pem", pki.ca_cert);
  const auto yaml =
      "default_model: null\nmodels:\n" + model_entry("m", m, "    retries: 0\n    tls:\n      ca_file: " + ca + "\n");
  gateway llmd(yaml);
  // The CA llm-d reads does not sign the mock's certificate.
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 502u);
  copied(files, "ca.pem", pki.untrusted_ca_cert);
  llmd.reload(yaml);
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
}

TEST(reload, watch_config_takes_a_write_of_the_file) {
  mock a("a");
  mock b("b");
  gateway llmd("watch_config: true\nmodels:\n" + model_entry("a", a));
  std::ofstream(llmd.config_path(), std::ios::trunc) << "watch_config: true\nmodels:\n" + model_entry("a", a) +
                                                            model_entry("b", b);
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  EXPECT_EQ(model_ids(llmd), (std::set<std::string>{"a", "b"}));
}

// As a Kubernetes ConfigMap volume is laid out: the file is a symlink into ..data, itself a
// symlink to a directory of the current version, and an update swaps ..data in one rename.
TEST(reload, watch_config_takes_a_configmap_symlink_swap) {
  mock a("a");
  mock b("b");
  temp_dir volume;
  namespace fs = std::filesystem;
  const fs::path root = volume.path();
  const auto version = [&](const std::string& name, const std::string& yaml) {
    fs::create_directory(root / name);
    std::ofstream(root / name / "llm-d.yaml") << yaml;
  };
  version("..v1", "watch_config: true\nmodels:\n" + model_entry("a", a));
  fs::create_directory_symlink("..v1", root / "..data");
  fs::create_symlink("..data/llm-d.yaml", root / "llm-d.yaml");
  gateway llmd(config_file{(root / "llm-d.yaml").string()});
  ASSERT_EQ(model_ids(llmd), (std::set<std::string>{"a"}));

  version("..v2", "watch_config: true\nmodels:\n" + model_entry("b", b));
  fs::create_directory_symlink("..v2", root / "..data_tmp");
  fs::rename(root / "..data_tmp", root / "..data");
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  EXPECT_EQ(model_ids(llmd), (std::set<std::string>{"b"}));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("b")).header("x-llmd-backend"), replica_id("b", b));
}

TEST(reload, a_drain_after_a_reload_lets_the_old_pools_requests_finish) {
  mock a("a", {"--tokens", "10", "--token-interval", "100ms"});
  gateway llmd("models:\n" + model_entry("a", a));
  connection stream(llmd.port());
  stream.send("POST", "/v1/chat/completions", chat_body("a", true));
  ASSERT_EQ(stream.read_header().status, 200u);
  llmd.reload("models:\n" + model_entry("a2", a));
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  llmd.proc().signal(SIGTERM);
  std::string body;
  while (auto p = stream.read_piece()) body += p->data;
  EXPECT_FALSE(streamed_text(body).empty());
  // The drain ends once the stream has: no second signal, which would race the exit.
  EXPECT_EQ(llmd.proc().signal_and_wait(0, 10s), 0) << "llm-d exits once the stream is over";
}

TEST(reload, routing_changes_for_new_requests_and_sessions_stay_where_they_are) {
  mock a("a"), b("b"), c("c");
  const auto replicas = model_entry("m", a) + model_entry("m", b) + model_entry("m", c);
  gateway llmd("routing:\n  policy: round_robin\n  session_header: x-before\nmodels:\n" + replicas);
  const headers before{{"x-before", "s1"}};
  const auto home = llmd.post("/v1/chat/completions", chat_body("m"), before).header("x-llmd-backend");
  llmd.reload("routing:\n  policy: round_robin\n  session_header: x-after\nmodels:\n" + replicas);
  ASSERT_TRUE(reloaded(llmd, "success", 1));
  // The old header is no session any more: round robin moves it on.
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) seen.insert(llmd.post("/v1/chat/completions", chat_body("m"), before).header("x-llmd-backend"));
  EXPECT_EQ(seen.size(), 3u);
  // The new one is; and the session table carried over the reload.
  const headers after{{"x-after", "s1"}};
  const auto stuck = llmd.post("/v1/chat/completions", chat_body("m"), after).header("x-llmd-backend");
  EXPECT_EQ(stuck, home);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m"), after).header("x-llmd-backend"), home);
}

}  // namespace
}  // namespace llmd::test
