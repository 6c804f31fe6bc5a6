// A stop signal drains: no new connections, requests in flight end well, within shutdown_timeout.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string one_model(const mock& m, const std::string& top = "") {
  return top + "models:\n  - name: m\n    endpoint: " + m.endpoint() + "\n";
}

bool refuses_connections(unsigned short port) {
  try {
    connection c(port, 1s);
    c.send("GET", "/health");
    c.read_response();
    return false;
  } catch (const std::exception&) {
    return true;
  }
}

TEST(shutdown, a_stop_signal_lets_requests_in_flight_finish_and_refuses_new_connections) {
  // Long enough that the request is still in flight through every check below on a slow machine.
  mock slow("slow", {"--delay", "4s"});
  gateway llmd(one_model(slow));
  connection asking(llmd.port());
  asking.send("GET", "/ready");
  EXPECT_EQ(asking.read_response().status, 200u);
  connection busy(llmd.port());
  busy.send("POST", "/v1/chat/completions", chat_body("m"));
  ASSERT_TRUE(eventually([&] { return slow.stats()["in_flight"] == 1; }, 5s, "the request upstream"));

  ::kill(llmd.proc().pid(), SIGTERM);
  EXPECT_TRUE(eventually([&] { return refuses_connections(llmd.port()); }, 2s, "new connections refused"));
  // A request on a connection already open is still answered, as the connection's last.
  asking.send("GET", "/ready");
  const auto ready = asking.read_response();
  EXPECT_EQ(ready.status, 503u);
  EXPECT_EQ(json::parse(ready.body)["status"], "draining");
  EXPECT_EQ(ready.header("connection"), "close");

  const auto answer = busy.read_response();
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(json::parse(answer.body)["object"], "chat.completion");
  EXPECT_EQ(llmd.proc().signal_and_wait(0, 5s), 0) << "llm-d exits once the request is answered";
}

TEST(shutdown, shutdown_timeout_bounds_the_wait_for_a_request_that_never_ends) {
  mock hanging("hanging", {"--hang"});
  gateway llmd(one_model(hanging, "limits:\n  shutdown_timeout: 400ms\n"));
  connection busy(llmd.port());
  busy.send("POST", "/v1/chat/completions", chat_body("m"));
  ASSERT_TRUE(eventually([&] { return hanging.stats()["in_flight"] == 1; }, 5s, "the request upstream"));
  const auto signalled = std::chrono::steady_clock::now();
  EXPECT_EQ(llmd.proc().signal_and_wait(SIGTERM, 10s), 0);
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, 400ms) << "it waited for the request first";
}

TEST(shutdown, a_second_signal_stops_at_once) {
  mock hanging("hanging", {"--hang"});
  gateway llmd(one_model(hanging));  // shutdown_timeout: 25 s by default
  connection busy(llmd.port());
  busy.send("POST", "/v1/chat/completions", chat_body("m"));
  ASSERT_TRUE(eventually([&] { return hanging.stats()["in_flight"] == 1; }, 5s, "the request upstream"));
  EXPECT_EQ(llmd.proc().signal_and_wait(SIGTERM, 300ms), -1) << "the first signal drains";
  EXPECT_EQ(llmd.proc().signal_and_wait(SIGTERM, 10s), 0);
}

}  // namespace
}  // namespace llmd::test
