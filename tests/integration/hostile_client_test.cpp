// Limits that hold against slow and hostile clients: a head must come whole within
// client_header_timeout of its first byte, a body may fall silent no longer than
// client_body_timeout, heads are capped in size and fields, connections in number, running out of
// descriptors costs no crash and no spin; and requests that could be read two ways (smuggling) are
// refused before any byte reaches a backend. After each, the daemon serves a normal request.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

#include "harness/fixtures.hpp"
#include "harness/prometheus.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
using nlohmann::json;

const std::string body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";

std::string head_of(const std::string& fields) {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + fields + "\r\n";
}

std::string request_with(const std::string& fields) {
  return head_of(fields + "Content-Length: " + std::to_string(body.size()) + "\r\n") + body;
}

class hostile_client : public testing::Test {
 protected:
  mock upstream{"m"};
  gateway llmd{"models:\n  - name: m\n    endpoint: " + upstream.endpoint() +
               "\nlimits:\n  client_idle_timeout: 30s\n  client_header_timeout: 1s\n  client_body_timeout: 1s\n"
               "  max_header_size: 2KiB\n  max_headers: 20\n"};

  void expect_served_normally() {
    const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
    EXPECT_EQ(r.status, 200u) << r.body;
  }

  double inflight() { return scrape(llmd.get("/metrics").body).sum("llmd_inflight_requests"); }
  double rejected(const std::string& reason) {
    return scrape(llmd.get("/metrics").body).value("llmd_rejected_total", {{"reason", reason}});
  }

  // Sends `bytes` alone on a new connection; the daemon must answer `status` with an OpenAI-shaped
  // error and close the connection.
  void expect_refused(const std::string& what, const std::string& bytes, unsigned status, const std::string& code) {
    connection c(llmd.port(), 10s);
    c.send_raw(bytes);
    const auto r = c.read_response();
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    const auto error = json::parse(r.body, nullptr, false);
    EXPECT_EQ(error["error"]["code"], code) << what << ": " << r.body;
    EXPECT_EQ(r.header("connection"), "close") << what;
    EXPECT_EQ(c.read_until_close(), "") << what;
  }
};

TEST_F(hostile_client, a_head_that_trickles_is_cut_at_client_header_timeout_from_its_first_byte) {
  connection c(llmd.port(), 20s);
  const auto start = clock::now();
  const std::string head = head_of("Content-Length: 2\r\n");
  // One byte every 100 ms: the head would take seconds, each byte well within any idle wait.
  std::string got;
  try {
    for (const char byte : head) {
      c.send_raw(std::string(1, byte));
      std::this_thread::sleep_for(100ms);
    }
  } catch (const std::exception&) {
    // The daemon closed the connection while the head was still coming: what this test expects.
  }
  got = c.read_until_close();
  const auto took = clock::now() - start;
  EXPECT_EQ(got, "");
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 8s);  // far below the 30 s idle timeout and the head's own ~9 s
  EXPECT_EQ(upstream.stats()["requests"], 0);
  // Cut by the clock, not refused for what had come of it.
  EXPECT_EQ(rejected("bad_request"), 0);
  expect_served_normally();
}

TEST_F(hostile_client, a_head_that_comes_in_pieces_within_client_header_timeout_is_served) {
  // As a shell's printf writes it: a line at a time; then splits inside the start line and a field.
  const std::string request = request_with("X-Trace: abc\r\n");
  const auto lines = [&] {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < request.size();) {
      const auto eol = request.find('\n', at);
      const auto end = eol == std::string::npos ? request.size() : eol + 1;
      out.push_back(request.substr(at, end - at));
      at = end;
    }
    return out;
  }();
  const std::vector<std::string> odd_cuts = {request.substr(0, 7), request.substr(7, 30), request.substr(37, 13),
                                             request.substr(50)};
  for (const auto& pieces : {lines, odd_cuts}) {
    connection c(llmd.port(), 10s);
    for (const auto& piece : pieces) {
      c.send_raw(piece);
      std::this_thread::sleep_for(30ms);
    }
    const auto r = c.read_response();
    EXPECT_EQ(r.status, 200u) << r.body;
  }
  EXPECT_EQ(rejected("bad_request"), 0);
}

TEST_F(hostile_client, a_head_over_max_header_size_in_small_pieces_gets_431) {
  // Ten fields of about 200 bytes, each alone well within the 2 KiB limit, over it together; the
  // last one crosses it, so nothing is still being sent when the answer comes.
  connection c(llmd.port(), 10s);
  const auto start = head_of("");
  c.send_raw(start.substr(0, start.size() - 2));
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(20ms);
    c.send_raw("X-" + std::to_string(i) + ": " + std::string(200, 'a') + "\r\n");
  }
  const auto r = c.read_response();
  EXPECT_EQ(r.status, 431u) << r.body;
  EXPECT_EQ(rejected("header_too_large"), 1);
  EXPECT_EQ(upstream.stats()["requests"], 0);
  expect_served_normally();
}

TEST_F(hostile_client, a_head_over_max_header_size_or_max_headers_gets_431) {
  expect_refused("a 3 KiB field", request_with("X-Big: " + std::string(3000, 'a') + "\r\n"), 431, "header_too_large");
  std::string many;
  for (int i = 0; i < 20; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  expect_refused("23 fields", request_with(many), 431, "header_too_large");
  EXPECT_EQ(rejected("header_too_large"), 2);
  expect_served_normally();
}

TEST_F(hostile_client, requests_that_could_be_read_two_ways_get_400_and_reach_no_backend) {
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  const std::vector<std::pair<std::string, std::string>> smuggled{
      {"two equal Content-Lengths", head_of(length + length) + body},
      {"a Content-Length list", head_of("Content-Length: " + std::to_string(body.size()) + ", " +
                                        std::to_string(body.size()) + "\r\n") +
                                    body},
      {"a signed Content-Length", head_of("Content-Length: +" + std::to_string(body.size()) + "\r\n") + body},
      {"Content-Length with chunked", head_of(length + "Transfer-Encoding: chunked\r\n") + "0\r\n\r\n"},
      {"chunked twice", head_of("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n"},
      {"an obs-fold line", head_of("X-A: a\r\n folded\r\n" + length) + body},
      {"a tab-folded line", head_of("X-A: a\r\n\tfolded\r\n" + length) + body},
      {"a bare LF", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\nX: y\r\n" + length + "\r\n" + body},
      {"a bare CR", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\rX: y\r\n" + length + "\r\n" + body},
      {"a space before the colon", head_of("Content-Length : " + std::to_string(body.size()) + "\r\n") + body},
      {"a malformed chunk size", head_of("Transfer-Encoding: chunked\r\n") + "zz\r\n" + body + "\r\n0\r\n\r\n"},
      {"a chunk without its CRLF", head_of("Transfer-Encoding: chunked\r\n") + "5\r\nhelloXX0\r\n\r\n"},
      {"a NUL in a field", head_of(std::string("X: a\0b\r\n", 8) + length) + body},
  };
  for (const auto& [what, bytes] : smuggled) expect_refused(what, bytes, 400, "bad_request");
  EXPECT_EQ(upstream.stats()["requests"], 0);
  expect_served_normally();
}

TEST_F(hostile_client, absurd_input_gets_a_whole_answer_and_the_next_request_is_served) {
  std::string every_high_byte;
  for (int c = 0x80; c <= 0xff; ++c) every_high_byte += static_cast<char>(c);
  const auto post = [](const std::string& json) {
    return head_of("Content-Length: " + std::to_string(json.size()) + "\r\n") + json;
  };
  const std::vector<std::pair<std::string, std::string>> absurd{
      {"a 10 KiB target", "GET /" + std::string(10 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"an unknown method", "BREW /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"},
      {"binary garbage", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n"},
      {"a NUL in a JSON string", post(std::string(R"({"model":"m","prompt":"a)") + '\0' + R"(b"})")},
      {"JSON nested 600 deep", post(R"({"model":"m","x":)" + std::string(600, '[') + std::string(600, ']') + "}")},
      {"bytes that are not UTF-8 in a JSON string", post(R"({"model":"m","prompt":")" + every_high_byte + R"("})")},
      {"a JSON number past any integer", post(R"({"model":"m","n":)" + std::string(5000, '9') + "}")},
  };
  for (const auto& [what, bytes] : absurd) {
    connection c(llmd.port(), 10s);
    c.send_raw(bytes);
    const auto r = c.read_response();
    EXPECT_GE(r.status, 200u) << what;
    EXPECT_LT(r.status, 600u) << what;
    if (r.status >= 400 && r.header("content-type") == "application/json") {
      const auto error = json::parse(r.body, nullptr, false);
      EXPECT_TRUE(error.contains("error")) << what << ": " << r.body;
    }
    expect_served_normally();
  }
}

TEST(max_connections, past_it_new_connections_are_closed_at_once_and_counted) {
  mock upstream("m");
  // One worker: the connections are accepted in the order they were made.
  gateway llmd("workers: 1\nmodels:\n  - name: m\n    endpoint: " + upstream.endpoint() +
               "\nlimits:\n  max_connections: 3\n");
  // Two idle connections and the one of each llmd.get (closed after it) make three at most.
  std::vector<std::unique_ptr<connection>> held;
  for (int i = 0; i < 2; ++i) held.push_back(std::make_unique<connection>(llmd.port(), 10s));
  connection third(llmd.port(), 10s);
  connection fourth(llmd.port(), 10s);
  EXPECT_EQ(fourth.read_until_close(), "");
  // The three held still work.
  third.send("POST", "/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(third.read_response().status, 200u);
  third.close();
  held.clear();
  ASSERT_TRUE(eventually(
      [&] {
        return scrape(llmd.get("/metrics").body).value("llmd_rejected_total", {{"reason", "max_connections"}}) == 1;
      },
      10s, "the refused connection counted"));
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_NE(llmd.proc().log().find("client connections are open (limits.max_connections)"), std::string::npos);
}

// CPU seconds the process has used (user and system).
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string field;
  for (int i = 1; i < 14 && stat >> field; ++i) {
  }
  long user = 0;
  long system = 0;
  stat >> user >> system;
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(descriptors, running_out_of_them_neither_crashes_nor_spins_and_serving_resumes) {
  mock upstream("m");
  temp_dir dir;
  const auto config =
      dir.write("llm-d.yaml", "workers: 1\nmodels:\n  - name: m\n    endpoint: " + upstream.endpoint() + "\n");
  // 40 descriptors: a few dozen connections use them all.
  process llmd("/usr/bin/prlimit", {"--nofile=40:40", llmd_binary(), "--config", config, "--listen", "127.0.0.1:0"});
  std::vector<std::unique_ptr<connection>> flood;
  for (int i = 0; i < 60; ++i) flood.push_back(std::make_unique<connection>(llmd.port(), 10s));
  // The kernel completes connections llm-d can no longer accept: wait until it has tried.
  ASSERT_TRUE(eventually([&] { return llmd.log().find("accept failed") != std::string::npos; }, 10s,
                         "an accept failing for want of descriptors"));
  const double before = cpu_seconds(llmd.pid());
  std::this_thread::sleep_for(2s);
  const double used = cpu_seconds(llmd.pid()) - before;
  EXPECT_LT(used, 0.5) << "llm-d busy while out of descriptors";
  // At most once a second, whatever the number of failed accepts.
  EXPECT_LE(count_of(llmd.log(), "accept failed"), 5u) << llmd.log();
  flood.clear();
  const auto served = [&] { return call(llmd.port(), "POST", "/v1/chat/completions", chat_body("m")).status == 200; };
  ASSERT_TRUE(eventually(served, 10s, "a request served once the descriptors are back"));
}

}  // namespace
}  // namespace llmd::test
