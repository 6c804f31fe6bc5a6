// Streams pass through as they are generated, and a client that leaves frees everything.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "harness/fixtures.hpp"
#include "harness/raw_upstream.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;

std::string one_group(const mock& m, const std::string& extra = "") {
  return "models:\n  - name: m\n    endpoint: " + m.endpoint() + "\n    max_concurrent: 1\n" + extra;
}

// Sends a streaming chat and reads the whole body; it must end cleanly (read_piece throws on a
// truncated body).
std::string stream_all(connection& c) {
  c.send("POST", "/v1/chat/completions", chat_body("m", true));
  EXPECT_EQ(c.read_header().status, 200u);
  std::string all;
  while (auto p = c.read_piece()) all += p->data;
  return all;
}

// The last event's {"error": {...}}, or null when the stream did not end with one.
nlohmann::json final_error(const std::string& stream) {
  const auto at = stream.rfind("data: {\"error\"");
  if (at == std::string::npos) return nullptr;
  return nlohmann::json::parse(stream.substr(at + 6))["error"];
}

TEST(streaming, first_chunk_reaches_the_client_long_before_the_upstream_finishes) {
  // 20 tokens, 100 ms apart: the whole stream takes about 2 s upstream.
  mock upstream("slow", {"--tokens", "20", "--token-interval", "100ms"});
  gateway llmd(one_group(upstream));
  connection c(llmd.port());
  const auto sent = std::chrono::steady_clock::now();
  c.send("POST", "/v1/chat/completions", chat_body("m", true));
  ASSERT_EQ(c.read_header().status, 200u);
  std::vector<piece> pieces;
  while (auto p = c.read_piece()) pieces.push_back(*p);
  ASSERT_GE(pieces.size(), 20u);  // one HTTP chunk per SSE event, never merged into one body
  const auto first = pieces.front().at - sent;
  const auto last = pieces.back().at - sent;
  // Ordering, not speed: the first token arrived while most of the stream was still to come.
  EXPECT_LT(first * 4, last) << "first chunk after " << std::chrono::duration_cast<std::chrono::milliseconds>(first).count()
                             << " ms, last after " << std::chrono::duration_cast<std::chrono::milliseconds>(last).count()
                             << " ms";
}

TEST(streaming, client_disconnect_cancels_upstream_and_frees_the_slot) {
  mock upstream("slow", {"--tokens", "200", "--token-interval", "100ms"});
  gateway llmd(one_group(upstream));
  {
    connection c(llmd.port());
    c.send("POST", "/v1/chat/completions", chat_body("m", true));
    ASSERT_EQ(c.read_header().status, 200u);
    ASSERT_TRUE(c.read_piece().has_value());
    c.close();
  }
  // The stream had ~20 s to go; the upstream sees its client (llm-d) leave right away.
  EXPECT_TRUE(eventually([&] { return upstream.stats()["cancelled"] == 1; }, 3s, "upstream cancellation"));
  EXPECT_EQ(upstream.stats()["in_flight"], 0);
  // The only slot is free again: the next request is served, not turned away as full.
  upstream.configure({{"tokens", 2}, {"token_interval_ms", 0}});
  const auto r = llmd.post("/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(r.status, 200u) << r.body;
}

TEST(streaming, client_disconnect_while_waiting_for_headers_cancels_upstream) {
  mock upstream("slow", {"--delay", "20s"});
  gateway llmd(one_group(upstream));
  {
    connection c(llmd.port());
    c.send("POST", "/v1/chat/completions", chat_body("m"));
    ASSERT_TRUE(eventually([&] { return upstream.stats()["in_flight"] == 1; }, 5s, "request reaching upstream"));
  }
  EXPECT_TRUE(eventually([&] { return upstream.stats()["cancelled"] == 1; }, 3s, "upstream cancellation"));
  upstream.configure({{"delay_ms", 0}});
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);
}

TEST(streaming, upstream_break_mid_stream_ends_with_an_error_event) {
  mock upstream("flaky", {"--break-after", "3"});
  gateway llmd(one_group(upstream));
  connection c(llmd.port());
  const auto all = stream_all(c);
  const auto error = final_error(all);
  ASSERT_FALSE(error.is_null()) << all;
  EXPECT_EQ(all.find("[DONE]"), std::string::npos);
  EXPECT_EQ(error["code"], "upstream_broken");
  // The response was well framed, so the client's connection carries its next request.
  upstream.configure({{"break_after", nullptr}});
  c.send("POST", "/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(c.read_response().status, 200u);
}

TEST(streaming, an_upstream_that_breaks_after_done_leaves_the_stream_whole_with_no_error_after_it) {
  mock upstream("abrupt");
  upstream.configure({{"break_after_done", true}});
  gateway llmd(one_group(upstream));
  connection c(llmd.port());
  const auto all = stream_all(c);
  EXPECT_TRUE(final_error(all).is_null()) << all;
  ASSERT_NE(all.find("[DONE]"), std::string::npos) << all;
  EXPECT_EQ(all.substr(all.rfind("data: ")), "data: [DONE]\n\n");
  EXPECT_EQ(upstream.stats()["aborted"], 1);
  // Ended well framed: the connection carries the next request.
  upstream.configure({{"break_after_done", false}});
  c.send("POST", "/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(c.read_response().status, 200u);
}

// An event stream, chunked, that breaks after `events` (no last chunk).
std::string broken_stream(const std::string& events) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", events.size());
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
         std::string(size) + events + "\r\n";
}

// Found by tests/fuzz/relay_fuzz.cpp: after [DONE], the start of another event was passed on, or
// an event without data (a comment) made the break look like one before [DONE] and got an error
// event after it.
TEST(streaming, what_follows_done_in_an_upstream_that_breaks_is_no_half_event_and_no_error) {
  for (const std::string after : {"data: {\"choi", ": keep-alive\n\n"}) {
    const auto wire = broken_stream("data: {\"choices\":[]}\n\ndata: [DONE]\n\n" + after);
    raw_upstream upstream([&](int) { return raw_answer{.pieces = {{.bytes = wire}}, .end = raw_end::close}; });
    gateway llmd("models:\n  - name: m\n    endpoint: " + upstream.endpoint() + "\n");
    connection c(llmd.port());
    const auto all = stream_all(c);
    EXPECT_TRUE(final_error(all).is_null()) << all;
    EXPECT_TRUE(all.ends_with("data: [DONE]\n\n") || all.ends_with(": keep-alive\n\n")) << all;
  }
}

TEST(streaming, upstream_silence_past_idle_timeout_ends_with_an_error_event) {
  mock upstream("stuck", {"--tokens", "3", "--token-interval", "10s"});
  gateway llmd(one_group(upstream, "    idle_timeout: 300ms\n"));
  connection c(llmd.port());
  const auto all = stream_all(c);
  ASSERT_FALSE(final_error(all).is_null()) << all;
  EXPECT_EQ(final_error(all)["type"], "timeout_error");
  EXPECT_TRUE(eventually([&] { return upstream.stats()["in_flight"] == 0; }, 3s, "upstream released"));
}

TEST(streaming, request_timeout_bounds_a_stream_that_keeps_talking) {
  // Tokens keep coming every 50 ms (never idle), but the whole request may take 500 ms.
  mock upstream("chatty", {"--tokens", "400", "--token-interval", "50ms"});
  gateway llmd(one_group(upstream, "    request_timeout: 500ms\n"));
  connection c(llmd.port());
  const auto all = stream_all(c);
  ASSERT_FALSE(final_error(all).is_null()) << all;
  EXPECT_NE(final_error(all)["message"].get<std::string>().find("exceeded request_timeout"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return upstream.stats()["cancelled"] == 1; }, 3s, "upstream cancelled"));
}

TEST(streaming, a_client_that_stops_reading_is_cut_off_at_the_write_timeout_and_holds_up_no_one) {
  // Some 20 MB as fast as the mock can: far more than the socket buffers between llm-d and a
  // client that reads nothing can hold, so llm-d's writes to it stall.
  mock fast("fast", {"--tokens", "100000", "--token-interval", "0"});
  mock other("other");
  gateway llmd("workers: 1\nlimits:\n  client_send_timeout: 500ms\nmodels:\n  - name: m\n    endpoint: " +
               fast.endpoint() + "\n  - name: o\n    endpoint: " + other.endpoint() + "\n");
  connection stuck(llmd.port());
  stuck.send("POST", "/v1/chat/completions", chat_body("m", true));
  EXPECT_TRUE(eventually([&] { return fast.stats()["requests"] == 1; }, 5s, "stream started"));
  // The one event loop keeps serving while that write waits.
  EXPECT_EQ(llmd.post("/v1/chat/completions", chat_body("o")).status, 200u);
  // Past the write timeout llm-d drops the client, and with it the upstream request. Filling the
  // socket buffers takes the mock about a second, a sanitized build's mock tens of seconds.
  EXPECT_TRUE(eventually([&] { return fast.stats()["cancelled"] == 1; }, 90s, "upstream cancelled"));
  // What it reads is a stream that began and was cut short (how much of it depends on the
  // kernel's socket buffer sizes, not on llm-d).
  const auto got = stuck.read_until_close();
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got.substr(0, 100);
  EXPECT_NE(got.find("data: {"), std::string::npos);
  EXPECT_EQ(got.find("data: [DONE]"), std::string::npos);
}

}  // namespace
}  // namespace llmd::test
