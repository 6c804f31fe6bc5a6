#include "llmd/proxy/sse.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace llmd::proxy {
namespace {

struct single_chunk_case {
  std::string_view chunk;
  std::size_t prefix;
  bool at_boundary;
};

TEST(SseBoundary, SingleChunks) {
  const std::vector<single_chunk_case> cases = {
      {"", 0, true},
      {"data: a\n\n", 9, true},
      {"data: a\r\n\r\n", 11, true},
      {"data: a\r\r", 9, true},
      {"data: a\n\r\n", 10, true},
      {"data: a\r\n\n", 10, true},
      {"data: a\n\r", 9, true},
      {"data: a\r\r\n", 10, true},
      {"event: x\nid: 1\ndata: a\ndata: b\n\n", 32, true},
      {": keep-alive\n\n", 14, true},
      {"\n", 1, true},
      {"\r\n", 2, true},
      {"data: a", 0, false},
      {"data: a\n", 0, false},
      {"data: a\r", 0, false},
      {"data: a\r\n", 0, false},
      {"data: a\r\ndata: b\r\n", 0, false},
      {"data: a\n\ndata: b", 9, false},
      {"data: a\n\ndata: b\n", 9, false},
      {"data: a\n\ndata: b\n\n", 18, true},
      {"data: a\n\n\n\n", 11, true},
      {"data: a\r\n\r\ndata: b\r\n", 11, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.chunk)));
    sse_boundary b;
    EXPECT_EQ(b.feed(c.chunk), c.prefix);
    EXPECT_EQ(b.at_boundary(), c.at_boundary);
  }
}

TEST(SseBoundary, StartsAtBoundary) { EXPECT_TRUE(sse_boundary().at_boundary()); }

TEST(SseBoundary, CrlfSplitAcrossChunksIsOneLineEnding) {
  sse_boundary b;
  EXPECT_EQ(b.feed("data: a\r"), 0u);
  EXPECT_FALSE(b.at_boundary());
  EXPECT_EQ(b.feed("\n"), 0u);  // completes the CRLF of "data: a", not an empty line
  EXPECT_FALSE(b.at_boundary());
  EXPECT_EQ(b.feed("\r"), 1u);
  EXPECT_TRUE(b.at_boundary());
  EXPECT_EQ(b.feed("\ndata: b"), 1u);
  EXPECT_FALSE(b.at_boundary());
}

TEST(SseBoundary, CrThenCrIsAnEventEnd) {
  sse_boundary b;
  EXPECT_EQ(b.feed("data: a\r"), 0u);
  EXPECT_EQ(b.feed("\r"), 1u);
  EXPECT_TRUE(b.at_boundary());
}

// "\r\r" ends the event for good: a following "\n" is the LF of that second CR's CRLF, so it
// starts no new line and the stream stays on a boundary; the next "\n" is an empty line.
TEST(SseBoundary, LfAfterFinalCrStaysOnBoundary) {
  sse_boundary b;
  EXPECT_EQ(b.feed("data: a\r\r"), 9u);
  EXPECT_TRUE(b.at_boundary());
  EXPECT_EQ(b.feed("\n"), 1u);
  EXPECT_TRUE(b.at_boundary());
  EXPECT_EQ(b.feed("\n"), 1u);
  EXPECT_TRUE(b.at_boundary());
  EXPECT_EQ(b.feed("data: b\n"), 0u);
  EXPECT_FALSE(b.at_boundary());
}

TEST(SseBoundary, LfAfterLineEndingCrDoesNotEndTheEvent) {
  sse_boundary b;
  EXPECT_EQ(b.feed("data: a\n\r"), 9u);
  EXPECT_EQ(b.feed("\ndata: b\r"), 1u);
  EXPECT_FALSE(b.at_boundary());
  EXPECT_EQ(b.feed("\n"), 0u);
  EXPECT_FALSE(b.at_boundary());
  EXPECT_EQ(b.feed("\n"), 1u);
  EXPECT_TRUE(b.at_boundary());
}

TEST(SseBoundary, EmptyChunkChangesNothing) {
  sse_boundary b;
  b.feed("data: a\r");
  EXPECT_EQ(b.feed(""), 0u);
  EXPECT_FALSE(b.at_boundary());
  EXPECT_EQ(b.feed("\n\n"), 2u);
  EXPECT_TRUE(b.at_boundary());
}

// A stream with every terminator form and each boundary position written out by hand: `ends`
// are the offsets inside the piece after which everything so far ends on a boundary.
struct piece {
  std::string_view text;
  std::vector<std::size_t> ends;
};

const std::vector<piece>& pieces() {
  static const std::vector<piece> all = {
      {"data: {\"a\":1}\n\n", {15}},
      {"data: b\r\n\r\n", {10, 11}},
      {"event: x\ndata: c\r\r", {18}},
      {"\n", {1}},  // the LF of the CRLF begun by the previous piece's final CR
      {": keep-alive\n\r\n", {14, 15}},
      {"data: d\r\n\n", {10}},
      {"\r\n", {1, 2}},
      {"data: e\ndata: f\r\r\n", {17, 18}},
      {"data: g\n\r", {9}},
      {"data: h\r\nid: 7\r\n\r\n", {17, 18}},
      {"\n\n", {1, 2}},
      {"data: [DONE]\n\n", {14}},
  };
  return all;
}

struct stream_under_test {
  std::string bytes;
  std::set<std::size_t> boundaries;  // includes 0
};

stream_under_test build_stream(std::string_view tail) {
  stream_under_test s;
  s.boundaries.insert(0);
  for (const auto& p : pieces()) {
    for (const std::size_t end : p.ends) s.boundaries.insert(s.bytes.size() + end);
    s.bytes += p.text;
  }
  s.bytes += tail;
  return s;
}

// What feed() must return for bytes [from, to): the last boundary in (from, to], relative to from.
std::size_t expected_prefix(const stream_under_test& s, std::size_t from, std::size_t to) {
  auto it = s.boundaries.upper_bound(to);
  if (it == s.boundaries.begin()) return 0;
  const std::size_t last = *std::prev(it);
  return last > from ? last - from : 0;
}

const std::vector<std::string_view> tails = {"", "data: tail", "data: tail\n", "data: tail\r", "data: tail\r\n",
                                             "data: x\ndata: y\n", "id: 9\r"};

TEST(SseBoundary, HandWrittenPiecesMatchTheirBoundaries) {
  for (const auto& p : pieces()) {
    sse_boundary b;
    EXPECT_EQ(b.feed(p.text), p.ends.back()) << testing::PrintToString(std::string(p.text));
    EXPECT_TRUE(b.at_boundary());
  }
}

TEST(SseBoundary, ByteByByte) {
  for (const std::string_view tail : tails) {
    const stream_under_test s = build_stream(tail);
    SCOPED_TRACE(testing::PrintToString(std::string(tail)));
    sse_boundary b;
    std::set<std::size_t> reported = {0};
    for (std::size_t i = 0; i < s.bytes.size(); ++i) {
      const std::size_t n = b.feed(std::string_view(s.bytes).substr(i, 1));
      ASSERT_LE(n, 1u);
      if (n == 1) reported.insert(i + 1);
      EXPECT_EQ(b.at_boundary(), s.boundaries.contains(i + 1)) << "after byte " << i;
    }
    EXPECT_EQ(reported, s.boundaries);
    EXPECT_EQ(b.at_boundary(), tail.empty());
  }
}

TEST(SseBoundary, EveryTwoWaySplit) {
  for (const std::string_view tail : tails) {
    const stream_under_test s = build_stream(tail);
    const std::string_view bytes = s.bytes;
    for (std::size_t k = 0; k <= bytes.size(); ++k) {
      SCOPED_TRACE("tail " + testing::PrintToString(std::string(tail)) + " split at " + std::to_string(k));
      sse_boundary b;
      EXPECT_EQ(b.feed(bytes.substr(0, k)), expected_prefix(s, 0, k));
      EXPECT_EQ(b.at_boundary(), s.boundaries.contains(k));
      EXPECT_EQ(b.feed(bytes.substr(k)), expected_prefix(s, k, bytes.size()));
      EXPECT_EQ(b.at_boundary(), tail.empty());
    }
  }
}

TEST(SseBoundary, EveryThreeWaySplit) {
  for (const std::string_view tail : tails) {
    const stream_under_test s = build_stream(tail);
    const std::string_view bytes = s.bytes;
    for (std::size_t i = 0; i <= bytes.size(); ++i) {
      for (std::size_t j = i; j <= bytes.size(); ++j) {
        sse_boundary b;
        const std::size_t n1 = b.feed(bytes.substr(0, i));
        const bool at_i = b.at_boundary();
        const std::size_t n2 = b.feed(bytes.substr(i, j - i));
        const bool at_j = b.at_boundary();
        const std::size_t n3 = b.feed(bytes.substr(j));
        const bool ok = n1 == expected_prefix(s, 0, i) && at_i == s.boundaries.contains(i) &&
                        n2 == expected_prefix(s, i, j) && at_j == s.boundaries.contains(j) &&
                        n3 == expected_prefix(s, j, bytes.size()) && b.at_boundary() == tail.empty();
        ASSERT_TRUE(ok) << "tail " << testing::PrintToString(std::string(tail)) << " splits " << i << ", " << j;
      }
    }
  }
}

TEST(SseErrorEvent, IsOneDataEventCarryingTheOpenAiError) {
  const llmd::http::openai_error e{"upstream closed\n\ndata: injected", "api_error", "upstream_error", ""};
  const std::string event = sse_error_event(e);
  ASSERT_TRUE(event.starts_with("data: "));
  ASSERT_TRUE(event.ends_with("\n\n"));
  const std::string payload = event.substr(6, event.size() - 8);
  EXPECT_EQ(payload.find_first_of("\r\n"), std::string::npos);

  const auto j = nlohmann::json::parse(payload);
  EXPECT_EQ(j["error"]["message"], "upstream closed\n\ndata: injected");
  EXPECT_EQ(j["error"]["type"], "api_error");
  EXPECT_EQ(j["error"]["code"], "upstream_error");
  EXPECT_TRUE(j["error"]["param"].is_null());

  sse_boundary b;
  EXPECT_EQ(b.feed(event), event.size());
  EXPECT_TRUE(b.at_boundary());
}

TEST(SseErrorEvent, InjectedAfterAnyBoundaryStaysSeparate) {
  const std::string event = sse_error_event({"boom", "api_error", "", ""});
  for (const std::string_view before : {"data: a\n\n", "data: a\r\n\r\n", "data: a\r\r", "data: a\r\n\r"}) {
    sse_boundary b;
    b.feed(before);
    ASSERT_TRUE(b.at_boundary());
    EXPECT_EQ(b.feed(event), event.size());
    EXPECT_TRUE(b.at_boundary());
  }
}

TEST(WithoutUsageEvents, DropsOnlyTheUsageEventWhateverTheLineEndings) {
  const std::string chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"\\\"choices\\\":[]\"}}],\"usage\":null}\n\n";
  const std::string usage = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n";
  const std::string done = "data: [DONE]\n\n";
  std::string kept;
  EXPECT_EQ(without_usage_events(chunk + usage + done, kept), chunk + done);
  EXPECT_EQ(without_usage_events(usage, kept), "");
  // Nothing to drop: the events themselves, not a copy.
  const std::string plain = chunk + done;
  EXPECT_EQ(without_usage_events(plain, kept).data(), plain.data());
  const std::string crlf = "data: {\"choices\":[],\"usage\":{}}\r\n\r\ndata: [DONE]\r\n\r\n";
  EXPECT_EQ(without_usage_events(crlf, kept), "data: [DONE]\r\n\r\n");
  const std::string cr = "data: {\"choices\":[],\"usage\":{}}\r\rdata: [DONE]\r\r";
  EXPECT_EQ(without_usage_events(cr, kept), "data: [DONE]\r\r");
}

TEST(LastDataIsDone, ReadsTheLastEventWithDataAsAClientDoes) {
  EXPECT_EQ(last_data_is_done("data: [DONE]\n\n"), true);
  EXPECT_EQ(last_data_is_done("data:[DONE]\r\n\r\n"), true);
  EXPECT_EQ(last_data_is_done("data: [DONE]\r\r"), true);
  EXPECT_EQ(last_data_is_done("data: {}\n\n"), false);
  EXPECT_EQ(last_data_is_done("data: [DONE]\n\ndata: {}\n\n"), false);
  // Events without data dispatch nothing: the [DONE] before them stays the last word.
  EXPECT_EQ(last_data_is_done("data: {}\n\ndata: [DONE]\n\n: keep-alive\n\nid: 7\n\n"), true);
  // Two data lines are one event whose data is "[DONE]\n[DONE]", which is not [DONE].
  EXPECT_EQ(last_data_is_done("data: [DONE]\ndata: [DONE]\n\n"), false);
  // A bare "data" line is data (empty); "datum:" is another field.
  EXPECT_EQ(last_data_is_done("data: [DONE]\n\ndata\n\n"), false);
  EXPECT_EQ(last_data_is_done("datum: [DONE]\n\n"), std::nullopt);
  EXPECT_EQ(last_data_is_done(": only a comment\n\n"), std::nullopt);
  EXPECT_EQ(last_data_is_done(""), std::nullopt);
}

}  // namespace
}  // namespace llmd::proxy
