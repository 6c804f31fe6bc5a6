#include "llmd/proxy/usage_scanner.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace llmd::proxy {
namespace {

using counts = std::pair<std::optional<std::uint64_t>, std::optional<std::uint64_t>>;

counts of(const usage_scanner& s) { return {s.usage().prompt_tokens, s.usage().completion_tokens}; }

counts scan(body_format format, const std::vector<std::string_view>& pieces) {
  usage_scanner s(format);
  for (const auto piece : pieces) s.feed(piece);
  return of(s);
}

counts forward(std::string_view body) { return scan(body_format::json, {body}); }

// An answer that comes in one piece, read from its end.
counts whole(std::string_view body) {
  usage_scanner s(body_format::json);
  s.feed(body, true);
  return of(s);
}

// A JSON answer read forward, and whole: both must agree.
counts json(std::string_view body) {
  const auto read = forward(body);
  EXPECT_EQ(whole(body), read) << "read whole: " << body;
  return read;
}
counts events(std::string_view body) { return scan(body_format::event_stream, {body}); }

const counts none{std::nullopt, std::nullopt};

// OpenAI's documented answer, with its nested token details.
constexpr std::string_view openai_answer =
    R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,)"
    R"("model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":)"
    R"("Hello! How can I assist you today?","refusal":null,"annotations":[]},"logprobs":null,)"
    R"("finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,)"
    R"("prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":)"
    R"({"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},)"
    R"("service_tier":"default"})";

// A stream with stream_options.include_usage, as OpenAI sends it: "usage":null in every event but
// the last, which has no choices. The content quotes a usage object, escapes and all.
constexpr std::string_view openai_stream =
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":"
    "\"gpt-4o-mini\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,\"delta\":{\"role\":"
    "\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":"
    "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"say \\\"usage\\\": {\\\"prompt_tokens\\\""
    ": 99} \\u00e9\\n\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":"
    "\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
    "\"usage\":null}\n\n"
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1694268190,\"model\":"
    "\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21,"
    "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n"
    "data: [DONE]\n\n";

TEST(usage_scanner, reads_the_usage_of_a_json_answer) { EXPECT_EQ(json(openai_answer), counts(19, 10)); }

TEST(usage_scanner, reads_the_usage_of_the_last_event_of_a_stream) { EXPECT_EQ(events(openai_stream), counts(9, 12)); }

TEST(usage_scanner, reads_the_same_whichever_bytes_the_pieces_split_at) {
  for (const auto& [format, body, expected] : {std::tuple{body_format::json, openai_answer, counts(19, 10)},
                                               std::tuple{body_format::event_stream, openai_stream, counts(9, 12)}}) {
    for (std::size_t at = 0; at <= body.size(); ++at) {
      EXPECT_EQ(scan(format, {body.substr(0, at), body.substr(at)}), expected) << "split at " << at;
    }
    usage_scanner bytewise(format);
    for (const char& c : body) bytewise.feed(std::string_view(&c, 1));
    EXPECT_EQ(of(bytewise), expected);
  }
}

TEST(usage_scanner, reads_the_usage_of_an_embeddings_answer_which_has_no_completion) {
  EXPECT_EQ(json(R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.08,-0.61]}],)"
                 R"("model":"m","usage":{"prompt_tokens":2,"total_tokens":2}})"),
            counts(2, std::nullopt));
}

TEST(usage_scanner, takes_no_usage_from_inside_a_string) {
  EXPECT_EQ(json(R"({"choices":[{"message":{"content":"\"usage\": {\"prompt_tokens\": 99}"}}]})"), none);
  EXPECT_EQ(json(R"({"note":"{\"usage\":{\"prompt_tokens\":99}}","usage":{"prompt_tokens":1,"completion_tokens":2}})"),
            counts(1, 2));
}

TEST(usage_scanner, takes_no_usage_from_a_nested_object) {
  EXPECT_EQ(json(R"({"choices":[{"usage":{"prompt_tokens":99,"completion_tokens":98}}]})"), none);
  EXPECT_EQ(json(R"({"data":{"usage":{"prompt_tokens":99}},"usage":{"prompt_tokens":1,"completion_tokens":2}})"),
            counts(1, 2));
  EXPECT_EQ(json(R"({"usage":{"details":{"prompt_tokens":99},"prompt_tokens":1,"completion_tokens":2}})"),
            counts(1, 2));
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":1,"details":{"prompt_tokens":99,"completion_tokens":98}}})"),
            counts(1, std::nullopt));
  EXPECT_EQ(json(R"([{"usage":{"prompt_tokens":99}}])"), none);
}

TEST(usage_scanner, takes_no_usage_from_a_key_of_another_name) {
  EXPECT_EQ(json(R"({"usages":{"prompt_tokens":99},"usag":{"prompt_tokens":98},"usage_":{"prompt_tokens":97}})"), none);
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens_":99,"completion_tokens_details":98,"total_tokens":97}})"), none);
  EXPECT_EQ(json(R"({"a_very_long_key_that_passes_the_buffer_usage":{"prompt_tokens":99}})"), none);
}

TEST(usage_scanner, takes_no_key_written_with_escapes) {
  // No server escapes these keys' letters: reading them as written keeps the scanner simple.
  EXPECT_EQ(json(R"({"us\u0061ge":{"prompt_tokens":3,"completion_tokens":4}})"), none);
  EXPECT_EQ(json(R"({"usage":{"prompt\u005ftokens":3}})"), none);
  EXPECT_EQ(json(R"({"a\"usage":{"prompt_tokens":3}})"), none);
}

TEST(usage_scanner, ignores_counts_that_are_not_plausible_integers) {
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":-1,"completion_tokens":2.5}})"), none);
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":1e3,"completion_tokens":"7"}})"), none);
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":9007199254740993,"completion_tokens":99999999999999999999999}})"), none);
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":9007199254740992,"completion_tokens":0}})"),
            counts(9007199254740992u, 0));
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":null,"completion_tokens":true}})"), none);
}

TEST(usage_scanner, reads_nothing_when_the_usage_is_missing_or_null) {
  EXPECT_EQ(json(R"({"id":"x","choices":[]})"), none);
  EXPECT_EQ(json(R"({"usage":null})"), none);
  EXPECT_EQ(json(R"({"usage":{}})"), none);
  EXPECT_EQ(json(R"({"usage":[1,2]})"), none);
  EXPECT_EQ(json(""), none);
}

TEST(usage_scanner, takes_the_last_of_two_usage_keys) {
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":1,"completion_tokens":2},"usage":{"prompt_tokens":3}})"),
            counts(3, std::nullopt));
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":1,"prompt_tokens":null}})"), none);
}

TEST(usage_scanner, keeps_what_a_cut_off_answer_showed_whole) {
  const std::string_view whole = R"({"usage":{"prompt_tokens":5,"completion_tokens":6},"service_tier":"def)";
  EXPECT_EQ(json(whole), counts(5, 6));
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":5,"completion_tokens":6)"), none);
  EXPECT_EQ(json(R"({"usage":{"prompt_tokens":5,"completion_tokens":6 )"), none);
}

TEST(usage_scanner, keeps_the_usage_of_a_cut_off_stream_up_to_its_last_whole_event) {
  const std::string_view stream =
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tok";
  EXPECT_EQ(events(stream), counts(3, 2));
  EXPECT_EQ(events(openai_stream.substr(0, openai_stream.find("\"usage\":{"))), none);
}

TEST(usage_scanner, reads_no_usage_from_a_stream_without_one) {
  const auto without = std::string(openai_stream.substr(0, openai_stream.find("data: {\"id\":\"chatcmpl-1\",\"object\":"
                                                                             "\"chat.completion.chunk\",\"created\":"
                                                                             "1694268190,\"model\":\"gpt-4o-mini\","
                                                                             "\"choices\":[],"))) +
                       "data: [DONE]\n\n";
  EXPECT_EQ(events(without), none);
}

TEST(usage_scanner, a_null_usage_after_one_keeps_it) {
  EXPECT_EQ(events("data: {\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n"
                   "data: {\"usage\":null}\n\ndata: {\"choices\":[]}\n\ndata: [DONE]\n\n"),
            counts(3, 2));
}

TEST(usage_scanner, follows_the_event_stream_framing) {
  // CRLF and CR line endings, no space after the colon, comments and other fields.
  EXPECT_EQ(events(": ping\r\nevent: message\r\nid: 7\r\ndata:{\"usage\":{\"prompt_tokens\":1,"
                   "\"completion_tokens\":2}}\r\n\r\n"),
            counts(1, 2));
  EXPECT_EQ(events("data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}\r\rdata: [DONE]\r\r"), counts(1, 2));
  EXPECT_EQ(events("data: {\"usage\" :\t{\"prompt_tokens\":1}}\n\ndata: {\"x\":\"\\\"usage\":{\"prompt_tokens\":2}}\n\n"),
            counts(1, std::nullopt));
  // One document over several data lines, which the spec joins with LFs.
  EXPECT_EQ(events("data: {\"usage\":\ndata: {\"prompt_tokens\":1,\ndata\ndata: \"completion_tokens\":2}}\n\n"),
            counts(1, 2));
  EXPECT_EQ(events("data: {\"usage\":\r\ndata: {\"prompt_tokens\":1}}\r\n\r\n"), counts(1, std::nullopt));
  // Fields that only look like data.
  EXPECT_EQ(events("dat: {\"usage\":{\"prompt_tokens\":1}}\n\ndatas: {\"usage\":{\"prompt_tokens\":1}}\n\n"
                   " data: {\"usage\":{\"prompt_tokens\":1}}\n\n"),
            none);
}

TEST(usage_scanner, reads_each_event_as_a_document_of_its_own) {
  // A broken event does not spoil the next one, and an event's document ends with the event.
  EXPECT_EQ(events("data: {\"usage\":{\"prompt_tokens\":\"\n\n"
                   "data: {\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":5}}\n\n"),
            counts(4, 5));
  EXPECT_EQ(events("data: {\"a\":{\n\ndata: \"usage\":{\"prompt_tokens\":4}}\n\n"), none);
}

TEST(usage_scanner, stops_at_what_is_not_json) {
  EXPECT_EQ(json("<html>{\"usage\":{\"prompt_tokens\":1}}</html>"), none);
  EXPECT_EQ(forward(R"({"a":[1}],"usage":{"prompt_tokens":1}})"), none);
  EXPECT_EQ(forward(R"({"a":{"b":1]],"usage":{"prompt_tokens":1}})"), none);
  EXPECT_EQ(forward("{\"a\":\"raw\tcontrol\",\"usage\":{\"prompt_tokens\":1}}"), none);
  EXPECT_EQ(forward("{\"a\tb\":1,\"usage\":{\"prompt_tokens\":1}}"), none);
  EXPECT_EQ(forward(R"({"usage":{"prompt_tokens":1,"completion_tokens":2}} {"usage":{"prompt_tokens":3}})"),
            counts(1, 2));
}

TEST(usage_scanner, read_whole_trusts_what_comes_before_the_members_it_reads) {
  // What it walks must be JSON; what lies before the usage member is not read at all.
  EXPECT_EQ(whole(R"({"a":[1}],"usage":{"prompt_tokens":1}})"), counts(1, std::nullopt));
  EXPECT_EQ(whole("{\"a\":\"raw\tcontrol\",\"usage\":{\"prompt_tokens\":1}}"), counts(1, std::nullopt));
  EXPECT_EQ(whole(R"({"usage":{"prompt_tokens":1}} {"usage":{"prompt_tokens":3}})"), counts(3, std::nullopt));
  EXPECT_EQ(whole(R"("usage":{"prompt_tokens":1}})"), counts(1, std::nullopt));
  // What it cannot follow, it reads forward, which takes a usage seen whole before the fault.
  EXPECT_EQ(whole(R"({"usage":{"prompt_tokens":1},"x":[1}]})"), counts(1, std::nullopt));
  EXPECT_EQ(whole(R"({"usage":{"prompt_tokens":1},"x":})"), counts(1, std::nullopt));
  EXPECT_EQ(whole(R"({"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}} trailing)"), counts(1, 2));
  EXPECT_EQ(whole(R"({"usage":{"prompt_tokens":1}, "x": "unterminated})"), counts(1, std::nullopt));
}

TEST(usage_scanner, read_whole_walks_back_over_the_members_after_the_usage) {
  // vLLM's order: usage, then a few short members.
  EXPECT_EQ(json(R"({"id":"x","choices":[{"message":{"content":"}]\"usage\":{"}}],"usage":{"prompt_tokens":5,)"
                 R"("completion_tokens":6,"prompt_tokens_details":null},"prompt_logprobs":null,"prompt_token_ids":)"
                 R"(null,"kv_transfer_params":null,"tag":"a\\","n":-1.5e3,"t":true,"o":{"usage":{"prompt_tokens":7}}})"),
            counts(5, 6));
  EXPECT_EQ(json(R"({"usage":null,"a":1})"), none);
  EXPECT_EQ(json(R"({"usage" : { "prompt_tokens" : 3 } , "b" : [ "}" , { "c" : "\"" } ] }  )" "\n"),
            counts(3, std::nullopt));
  EXPECT_EQ(json(R"({"a":{"usage":{"prompt_tokens":9}}})"), none);
  EXPECT_EQ(json("{}"), none);
}

// Random JSON values: strings with escapes and brackets, numbers, literals, nested containers
// (some holding a "usage" of their own), from a fixed seed.
class random_json {
 public:
  explicit random_json(unsigned seed) : rng_(seed) {}

  std::string answer() {
    std::string out = "{";
    const int members = pick(6);
    const int usage_at = pick(members + 1) - 1;  // -1: none
    for (int i = 0; i < members; ++i) {
      if (i) out += pick(2) ? "," : " , ";
      if (i == usage_at) {
        out += "\"usage\":" + (pick(5) == 0 ? std::string("null") : usage());
      } else {
        out += string() + ":" + value(3);
      }
    }
    return out + (pick(2) ? "}" : "}\n");
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }
  // Counts plausible or not, sometimes twice, sometimes an object or a string, between other members.
  std::string count() {
    switch (pick(8)) {
      case 0: return "-3";
      case 1: return "2.5";
      case 2: return "\"7\"";
      case 3: return "{\"prompt_tokens\":4}";
      case 4: return "99999999999999999";
      default: return std::to_string(pick(1000));
    }
  }
  std::string usage() {
    std::string out = "{\"prompt_tokens\":" + count() + ",\"x\":" + value(2) + ",\"completion_tokens\":" + count();
    if (pick(3) == 0) out += ",\"prompt_tokens\":" + count();
    return out + "}";
  }
  std::string string() {
    static const std::vector<std::string> parts{"a", "usage", "\\\"", "\\\\", "}", "]", "{", "[", ",", ":", " ", "\\n"};
    std::string out = "\"";
    for (int i = pick(6); i > 0; --i) out += parts[static_cast<std::size_t>(pick(static_cast<int>(parts.size())))];
    return out + "\"";
  }
  std::string value(int depth) {
    switch (depth > 0 ? pick(7) : pick(4)) {
      case 0: return string();
      case 1: return std::to_string(pick(100000) - 500) + (pick(2) ? ".5e3" : "");
      case 2: return pick(2) ? "true" : "null";
      case 3: return "\"usage\"";
      case 4: {
        std::string out = "[";
        for (int i = pick(4); i > 0; --i) out += value(depth - 1) + (i > 1 ? "," : "");
        return out + "]";
      }
      case 5: return "{\"usage\":" + usage() + "}";
      default: {
        std::string out = "{";
        for (int i = pick(4); i > 0; --i) out += string() + ":" + value(depth - 1) + (i > 1 ? "," : "");
        return out + "}";
      }
    }
  }
  std::mt19937 rng_;
};

// Usage objects last and not, plain and nested, quoted in strings, repeated: each answer read
// whole (from its end) as it is read forward.
TEST(usage_scanner, reads_answers_shaped_as_engines_send_them_whole_as_forward) {
  const std::vector<std::pair<std::string, counts>> cases = {
      {R"({"id":"x","choices":[],"usage":{"prompt_tokens":6,"completion_tokens":16,"total_tokens":22}})", {6, 16}},
      {"{\"usage\" : { \"completion_tokens\" : 4 , \"prompt_tokens\":3 } }\n", {3, 4}},
      {R"({"a":1,"usage":{"prompt_tokens":3,"note":"ok }","prompt_tokens":5,"completion_tokens":null}})",
       {5, std::nullopt}},
      {R"({"a":1,"usage":{"prompt_tokens":2,"prompt_tokens_details":{"cached_tokens":1},"completion_tokens":3}})",
       {2, 3}},
      {R"({"usage":{"prompt_tokens":1,"completion_tokens":1},"b":{"c":""usage":{"prompt_tokens":5}"}})", {1, 1}},
      {R"({"usage":{"prompt_tokens":1},"b":{"usage":{"prompt_tokens":9}}})", {1, std::nullopt}},
      {R"({"usage":{"prompt_tokens":7},"usage":{"total_tokens":3}})", {7, std::nullopt}},
      {R"({"a":"x\","usage":{"prompt_tokens":-1,"completion_tokens":2.5}})", none},
  };
  for (const auto& [body, expected] : cases) {
    EXPECT_EQ(whole(body), expected) << body;
    EXPECT_EQ(forward(body), expected) << body;
  }
}

TEST(usage_scanner, reads_any_json_answer_alike_whole_and_forward) {
  random_json make(20261207);
  for (int i = 0; i < 20000; ++i) {
    const auto body = make.answer();
    ASSERT_EQ(whole(body), forward(body)) << body;
  }
}

TEST(usage_scanner, gives_up_on_nesting_deeper_than_it_follows) {
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  EXPECT_EQ(forward("{\"a\":" + deep + ",\"usage\":{\"prompt_tokens\":1}}"), none);
  EXPECT_EQ(json("{\"usage\":{\"prompt_tokens\":1},\"a\":" + deep + "}"), counts(1, std::nullopt));
  const std::string fits = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(json("{\"a\":" + fits + ",\"usage\":{\"prompt_tokens\":1}}"), counts(1, std::nullopt));
  // Read whole, nesting before the usage is never followed.
  EXPECT_EQ(whole("{\"a\":" + deep + ",\"usage\":{\"prompt_tokens\":1}}"), counts(1, std::nullopt));
}

// Whole, in two pieces cut at each byte, and byte by byte.
void expect_in_any_pieces(std::string_view body, counts expected) {
  EXPECT_EQ(forward(body), expected) << body;
  for (std::size_t at = 1; at < body.size(); ++at) {
    EXPECT_EQ(scan(body_format::json, {body.substr(0, at), body.substr(at)}), expected) << "split at " << at << ": "
                                                                                          << body;
  }
  usage_scanner bytewise(body_format::json);
  for (const char& c : body) bytewise.feed(std::string_view(&c, 1));
  EXPECT_EQ(of(bytewise), expected) << body;
}

// The scanner reads 64 bytes at a time: a filler of each length up to past two blocks puts what
// follows it across each place of a block's boundary.
constexpr std::size_t fillers = 140;

std::string filler(std::size_t size) { return std::string(size, 'x'); }

TEST(usage_scanner, reads_escapes_alike_wherever_they_fall_in_its_blocks) {
  for (std::size_t n = 0; n < fillers; ++n) {
    // An even run of backslashes escapes no quote; an odd one does.
    expect_in_any_pieces(R"({"a":")" + filler(n) + R"(\\\\","usage":{"prompt_tokens":1,"completion_tokens":2}})",
                         counts(1, 2));
    expect_in_any_pieces(
        R"({"a":")" + filler(n) + R"(\\\",\"usage\":{\"prompt_tokens\":9}}","usage":{"prompt_tokens":1}})",
        counts(1, std::nullopt));
  }
}

TEST(usage_scanner, reads_keys_and_counts_alike_wherever_they_fall_in_its_blocks) {
  for (std::size_t n = 0; n < fillers; ++n) {
    expect_in_any_pieces(R"({"a":")" + filler(n) + R"(","usage":{"prompt_tokens":12345,"completion_tokens":678}})",
                         counts(12345, 678));
    // A key that is no key looked for, however long, and one that ends where a block does.
    expect_in_any_pieces(R"({")" + filler(n) + R"(":1,"usage":{"completion_tokens":3}})", counts(std::nullopt, 3));
  }
}

TEST(usage_scanner, takes_nothing_from_a_string_longer_than_its_blocks) {
  std::string quoted;
  for (int i = 0; i < 8; ++i) quoted += R"(\"usage\":{\"prompt_tokens\":9},[{}], \\)";
  expect_in_any_pieces(R"({"a":")" + quoted + R"(","usage":{"prompt_tokens":1}})", counts(1, std::nullopt));
  expect_in_any_pieces(R"({"a":")" + quoted + R"("})", none);
}

TEST(usage_scanner, follows_nesting_to_exactly_its_limit) {
  // The top-level object is the first of the 128 levels.
  const auto nested = [](std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); };
  expect_in_any_pieces(R"({"a":)" + nested(127) + R"(,"usage":{"prompt_tokens":1}})", counts(1, std::nullopt));
  expect_in_any_pieces(R"({"a":)" + nested(128) + R"(,"usage":{"prompt_tokens":1}})", none);
  expect_in_any_pieces(R"({"usage":{"a":)" + nested(126) + R"(,"prompt_tokens":1}})", counts(1, std::nullopt));
  expect_in_any_pieces(R"({"usage":{"a":)" + nested(127) + R"(,"prompt_tokens":1}})", none);
}

TEST(usage_scanner, passes_over_a_backslash_outside_strings) {
  // Not JSON, and not what ends the reading: a byte of no meaning, even before a quote.
  expect_in_any_pieces(R"({"a":1\,"usage":{"prompt_tokens":1,"completion_tokens":2}})", counts(1, 2));
  expect_in_any_pieces(R"({"a":1,\"usage":{"prompt_tokens":1}})", counts(1, std::nullopt));
  // Nor is a control byte that a backslash escapes in a string.
  expect_in_any_pieces("{\"a\":\"\\\x01\",\"usage\":{\"prompt_tokens\":1}}", counts(1, std::nullopt));
}

http::field_list fields(std::initializer_list<std::pair<boost::beast::http::field, std::string_view>> list) {
  http::field_list out;
  for (const auto& [id, value] : list) out.add(id, boost::beast::http::to_string(id), value);
  return out;
}

TEST(usage_format, reads_streams_as_events_and_anything_else_as_json) {
  using boost::beast::http::field;
  EXPECT_EQ(usage_format(fields({{field::content_type, "text/event-stream; charset=utf-8"}})),
            body_format::event_stream);
  EXPECT_EQ(usage_format(fields({{field::content_type, "application/json"}})), body_format::json);
  EXPECT_EQ(usage_format(fields({})), body_format::json);
  EXPECT_EQ(usage_format(fields({{field::content_type, "application/json"}, {field::content_encoding, "identity"}})),
            body_format::json);
}

TEST(usage_format, leaves_a_compressed_body_unread) {
  using boost::beast::http::field;
  EXPECT_EQ(usage_format(fields({{field::content_type, "application/json"}, {field::content_encoding, "gzip"}})),
            std::nullopt);
  EXPECT_EQ(usage_format(fields({{field::content_type, "text/event-stream"}, {field::content_encoding, "br"}})),
            std::nullopt);
}

}  // namespace
}  // namespace llmd::proxy
