#include "llmd/api/request_fields.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmd::api {
namespace {

using nlohmann::json;
using namespace std::string_view_literals;

request_fields scan_ok(std::string_view body) {
  auto result = scan_request(body);
  if (const auto* error = std::get_if<scan_error>(&result)) {
    ADD_FAILURE() << "rejected: " << error->message << "\nbody: " << body;
    return {};
  }
  return std::get<request_fields>(result);
}

scan_error scan_fail(std::string_view body) {
  auto result = scan_request(body);
  if (std::holds_alternative<request_fields>(result)) {
    ADD_FAILURE() << "accepted: " << body;
    return {};
  }
  return std::get<scan_error>(result);
}

// The span must cover exactly the model's string token.
void expect_span_matches(std::string_view body, const request_fields& f) {
  ASSERT_TRUE(f.model);
  ASSERT_LT(f.model_begin, f.model_end);
  ASSERT_LE(f.model_end, body.size());
  const std::string_view token = body.substr(f.model_begin, f.model_end - f.model_begin);
  EXPECT_EQ(token.front(), '"');
  EXPECT_EQ(token.back(), '"');
  EXPECT_EQ(json::parse(token).get<std::string>(), *f.model) << token;
}

// Whether nlohmann rejects `doc` for a number beyond double range, which the grammar (and so
// scan_request) allows.
bool overflows_double(const std::string& doc) {
  try {
    [[maybe_unused]] const json parsed = json::parse(doc);
  } catch (const json::out_of_range& e) {
    return e.id == 406;
  } catch (const json::parse_error&) {
  }
  return false;
}

std::string nest(std::size_t arrays) { return R"({"a":)" + std::string(arrays, '[') + std::string(arrays, ']') + "}"; }

struct valid_case {
  std::string_view name;
  std::string body;
  std::optional<std::string> model;
  bool stream;
};

TEST(ScanRequest, ValidBodies) {
  const std::vector<valid_case> cases = {
      {"minimal", R"({"model":"gpt-4"})", "gpt-4", false},
      {"empty object", "{}", std::nullopt, false},
      {"no model", R"({"stream":true})", std::nullopt, true},
      {"stream true", R"({"model":"m","stream":true})", "m", true},
      {"stream false", R"({"model":"m","stream":false})", "m", false},
      {"stream null is absent", R"({"model":"m","stream":null})", "m", false},
      {"whitespace everywhere", " \t\r\n{ \"model\" :\n\t\"m\" , \"stream\"\r\n:\ttrue } \n", "m", true},
      {"stream before model", R"({"stream":true,"messages":[],"model":"llama"})", "llama", true},
      {"nested model ignored", R"({"messages":[{"model":"inner","stream":"x"}],"model":"outer"})", "outer", false},
      {"only nested fields", R"({"x":{"model":5,"stream":"no"},"y":[{"model":null}]})", std::nullopt, false},
      {"model-like values are not keys", R"({"a":"model","b":["stream",true]})", std::nullopt, false},
      {"escape \\u002d", R"({"model":"gpt\u002d4"})", "gpt-4", false},
      {"simple escapes", R"({"model":"a\"b\\c\/d\b\f\n\r\t"})", "a\"b\\c/d\b\f\n\r\t", false},
      {"two-byte escape", R"({"model":"mod\u00e8le"})", "mod\xc3\xa8le", false},
      {"three-byte escape", R"({"model":"\u20AC"})", "\xe2\x82\xac", false},
      {"surrogate pair", R"({"model":"\ud83d\ude00!"})", "\xf0\x9f\x98\x80!", false},
      {"escaped nul", R"({"model":"a\u0000b"})", std::string("a\0b", 3), false},
      {"raw utf-8", "{\"model\":\"mod\xc3\xa8le\"}", "mod\xc3\xa8le", false},
      {"raw DEL is not a control character", "{\"model\":\"a\x7f\"}", "a\x7f", false},
      {"empty model", R"({"model":""})", "", false},
      {"escaped keys", R"({"mod\u0065l":"x","\u0073tream":true})", "x", true},
      {"key longer than model", R"({"models":"x","streams":true,"mode":"y"})", std::nullopt, false},
      {"escaped key longer than model", R"({"model\u0073":"x","stream\u0000":true})", std::nullopt, false},
      {"duplicate model: last wins", R"({"model":"a","model":"b"})", "b", false},
      {"duplicate model: earlier non-string", R"({"model":5,"model":"b"})", "b", false},
      {"duplicate stream: last wins", R"({"stream":true,"stream":false})", std::nullopt, false},
      {"duplicate stream: earlier bad", R"({"stream":"x","stream":true})", std::nullopt, true},
      {"numbers", R"({"a":[0,-0,12,-3.25,1e5,1E+5,2.5e-3,0.0E-0,12345678901234567890123]})", std::nullopt, false},
      {"literals and empties", R"({"a":[true,false,null,{},[],"",{"b":[[]]}]})", std::nullopt, false},
      {"empty key", R"({"":1,"model":"m"})", "m", false},
      {"depth 512", nest(max_json_depth - 1), std::nullopt, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const request_fields f = scan_ok(c.body);
    EXPECT_EQ(f.model, c.model);
    EXPECT_EQ(f.stream, c.stream);
    if (c.model) expect_span_matches(c.body, f);
    EXPECT_TRUE(json::accept(c.body));
  }
}

TEST(ScanRequest, NumbersBeyondDoubleRangeFollowTheGrammar) {
  const std::string body = R"({"a":[1e999,-1E+400,1e-400,99999999999999999999999],"model":"m"})";
  EXPECT_EQ(scan_ok(body).model, "m");
  EXPECT_TRUE(overflows_double(body));
}

TEST(ScanRequest, ModelSpan) {
  const std::string body = R"({"messages":[], "model" : "gpt\u002d4" ,"stream":true})";
  const request_fields f = scan_ok(body);
  EXPECT_EQ(f.model_begin, body.find("\"gpt"));
  EXPECT_EQ(f.model_end, body.find(" ,"));

  const std::string dup = R"({"model":"first","model":"second"})";
  const request_fields g = scan_ok(dup);
  EXPECT_EQ(g.model_begin, dup.find("\"second\""));
  EXPECT_EQ(g.model_end, dup.size() - 1);
}

struct invalid_case {
  std::string body;
  std::string message;
  std::size_t offset;
};

TEST(ScanRequest, InvalidBodies) {
  const std::vector<invalid_case> cases = {
      {"", "request body is empty", 0},
      {" \r\n\t", "request body is empty", 0},
      {"[1,2]", "request body must be a JSON object", 0},
      {" \"x\"", "request body must be a JSON object", 1},
      {"null", "request body must be a JSON object", 0},
      {"42", "request body must be a JSON object", 0},
      {R"({"model":5})", "'model' must be a string", 9},
      {R"({"model":null})", "'model' must be a string", 9},
      {R"({"model":["a"]})", "'model' must be a string", 9},
      {R"({"model":"a","model":{}})", "'model' must be a string", 21},
      {R"({"stream":"true"})", "'stream' must be a boolean", 10},
      {R"({"stream": 1})", "'stream' must be a boolean", 11},
      {R"({"model":1,"stream":1})", "'model' must be a string", 9},
      {R"({"model" "x"})", "expected ':' after object key at byte 9", 9},
      {R"({"a":1,})", "expected a string object key at byte 7", 7},
      {R"({,})", "expected a string object key at byte 1", 1},
      {R"({'a':1})", "expected a string object key at byte 1", 1},
      {R"({a:1})", "expected a string object key at byte 1", 1},
      {R"({"a":1 "b":2})", "expected ',' or '}' after object member at byte 7", 7},
      {R"({"a":[1 2]})", "expected ',' or ']' after array element at byte 8", 8},
      {R"({"a":[1,]})", "expected a value at byte 8", 8},
      {R"({"a":[1}})", "expected ',' or ']' after array element at byte 7", 7},
      {R"({"a":1])", "expected ',' or '}' after object member at byte 6", 6},
      {R"({"a":})", "expected a value at byte 5", 5},
      {R"({"a":NaN})", "expected a value at byte 5", 5},
      {R"({"a":tru})", "expected 'true' at byte 5", 5},
      {R"({"a":fals})", "expected 'false' at byte 5", 5},
      {R"({"a":nul})", "expected 'null' at byte 5", 5},
      {R"({"a":True})", "expected a value at byte 5", 5},
      {R"({"a":01})", "expected ',' or '}' after object member at byte 6", 6},
      {R"({"a":-})", "expected a digit in number at byte 6", 6},
      {R"({"a":-a})", "expected a digit in number at byte 6", 6},
      {R"({"a":1.})", "expected a digit in number at byte 7", 7},
      {R"({"a":1.e5})", "expected a digit in number at byte 7", 7},
      {R"({"a":1e})", "expected a digit in number at byte 7", 7},
      {R"({"a":1e+})", "expected a digit in number at byte 8", 8},
      {R"({"a":.5})", "expected a value at byte 5", 5},
      {R"({"a":+1})", "expected a value at byte 5", 5},
      {R"({"a":"x)", "unterminated string starting at byte 5", 5},
      {R"({"a":"x\)", "unterminated string starting at byte 5", 5},
      {R"({"a":"x\")", "unterminated string starting at byte 5", 5},
      {R"({"a":"\x"})", "invalid escape sequence in string at byte 6", 6},
      {R"({"a":"\U0041"})", "invalid escape sequence in string at byte 6", 6},
      {R"({"a":"\u12g4"})", "invalid \\u escape in string at byte 6", 6},
      {R"({"a":"\u12"})", "invalid \\u escape in string at byte 6", 6},
      {R"({"a":"\u12)", "invalid \\u escape in string at byte 6", 6},
      {R"({"a":"\ud800"})", "unpaired surrogate in \\u escape at byte 6", 6},
      {R"({"a":"\udc00"})", "unpaired surrogate in \\u escape at byte 6", 6},
      {R"({"a":"\ud800\u0041"})", "unpaired surrogate in \\u escape at byte 6", 6},
      {R"({"a":"\ud800\ud800"})", "unpaired surrogate in \\u escape at byte 6", 6},
      {R"({"a":"\ud800x"})", "unpaired surrogate in \\u escape at byte 6", 6},
      {"{\"a\":\"tab\there\"}", "unescaped control character 0x09 in string at byte 9", 9},
      {"{\"a\":\"\n\"}", "unescaped control character 0x0a in string at byte 6", 6},
      {std::string("{\"a\":\"\0\"}", 8), "unescaped control character 0x00 in string at byte 6", 6},
      {"{\"a\x1f\":1}", "unescaped control character 0x1f in string at byte 3", 3},
      {R"({"a":1}x)", "unexpected data after the JSON value at byte 7", 7},
      {R"({"a":1} {})", "unexpected data after the JSON value at byte 8", 8},
      {std::string("{}\0", 3), "unexpected data after the JSON value at byte 2", 2},
      {"{}\f", "unexpected data after the JSON value at byte 2", 2},
      {R"({"a":1)", "unexpected end of input at byte 6", 6},
      {"{", "unexpected end of input at byte 1", 1},
      {R"({"a")", "unexpected end of input at byte 4", 4},
      {R"({"a":)", "unexpected end of input at byte 5", 5},
      {R"({"a":tr)", "unexpected end of input at byte 7", 7},
      {R"({"a":-)", "unexpected end of input at byte 6", 6},
      {"\"", "unterminated string starting at byte 0", 0},
      {"[1,", "unexpected end of input at byte 3", 3},
      {"x", "expected a value at byte 0", 0},
      {"\xef\xbb\xbf{}", "expected a value at byte 0", 0},
      // Syntax errors win over shape errors.
      {R"({"model":5,)", "unexpected end of input at byte 11", 11},
      {"[1,}", "expected a value at byte 3", 3},
      {nest(max_json_depth), "nesting exceeds the limit of 512 levels at byte 516", 516},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 60));
    const scan_error e = scan_fail(c.body);
    EXPECT_EQ(e.message, c.message);
    EXPECT_EQ(e.offset, c.offset);
  }
}

// Exercises the eight-bytes-at-a-time string scan: a special byte at every position of strings
// of every length up to a few words, next to bytes that must not be mistaken for one.
TEST(ScanRequest, StringScanFindsEverySpecialByte) {
  const std::string prefix = R"({"model":")";
  for (const char filler : {'a', '\x7f', '\x80', '\x9f', '\xa0', '\xff', '!', '#', '['}) {
    for (std::size_t len = 1; len <= 40; ++len) {
      for (std::size_t k = 0; k < len; ++k) {
        std::string content(len, filler);
        SCOPED_TRACE("filler " + std::to_string(static_cast<unsigned char>(filler)) + " len " + std::to_string(len) +
                     " at " + std::to_string(k));

        content[k] = '\x1f';
        const scan_error e = scan_fail(prefix + content + "\"}");
        EXPECT_EQ(e.offset, prefix.size() + k);

        content[k] = '"';
        EXPECT_EQ(scan_fail(prefix + content + "\"}").offset, prefix.size() + k + 1);

        content.replace(k, 1, "\\n");
        std::string expected(len, filler);
        expected[k] = '\n';
        EXPECT_EQ(scan_ok(prefix + content + "\"}").model, expected);
      }
    }
  }
}

TEST(RewriteModel, ReplacesTheValueAndNothingElse) {
  const std::string body = R"({"messages":[{"model":"x"}], "model" : "gpt\u002d4" ,"stream":true})";
  const request_fields f = scan_ok(body);
  const std::string out = rewrite_model(body, f, "llama-3-70b");
  EXPECT_EQ(out, R"({"messages":[{"model":"x"}], "model" : "llama-3-70b" ,"stream":true})");
  const request_fields g = scan_ok(out);
  EXPECT_EQ(g.model, "llama-3-70b");
  EXPECT_TRUE(g.stream);
  expect_span_matches(out, g);
}

TEST(RewriteModel, EscapesSpecialCharacters) {
  const std::string body = R"({"model":"m"})";
  const request_fields f = scan_ok(body);
  const std::vector<std::string> names = {
      "",
      "a\"b",
      "back\\slash",
      "line\nbreak\r\t\b\f",
      std::string("nul\0byte\x01\x1f"sv),
      "mod\xc3\xa8le \xf0\x9f\x98\x80",
      "slash/ok\x7f",
      "\"}],\"stream\":true,\"x\":\"",
  };
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const std::string out = rewrite_model(body, f, name);
    const request_fields g = scan_ok(out);
    EXPECT_EQ(g.model, name);
    EXPECT_FALSE(g.stream);
    expect_span_matches(out, g);
    EXPECT_EQ(json::parse(out), (json{{"model", name}}));
  }
  EXPECT_EQ(rewrite_model(body, f, std::string("\x01\n\"", 3)), R"({"model":"\u0001\n\""})");
}

TEST(RewriteModel, DuplicateKeysRewriteTheLastOne) {
  const std::string body = R"({"model":"a","model":"b"})";
  const std::string out = rewrite_model(body, scan_ok(body), "c");
  EXPECT_EQ(out, R"({"model":"a","model":"c"})");
  EXPECT_EQ(scan_ok(out).model, "c");
  EXPECT_EQ(json::parse(out)["model"], "c");
}

TEST(ScanRequest, LargePromptBody) {
  std::mt19937 rng(7);
  std::string prompt;
  const std::vector<std::string> pieces = {"the quick brown fox ", "jumps over ", "\\n", "\\\"quoted\\\"",
                                           "\\\\", "caf\xc3\xa9 ",  "\\u00e9", "\\ud83d\\ude00", "\\t",
                                           "lorem ipsum dolor sit amet, consectetur adipiscing elit "};
  while (prompt.size() < 200 * 1024) prompt += pieces[rng() % pieces.size()];
  const std::string head = R"({"messages":[{"role":"system","content":"be brief"},{"role":"user","content":")";
  const std::string body = head + prompt + R"("}],"max_tokens":128,"stream":true,"model":"llama-3-70b"})";

  const request_fields f = scan_ok(body);
  EXPECT_EQ(f.model, "llama-3-70b");
  EXPECT_TRUE(f.stream);
  expect_span_matches(body, f);
  EXPECT_GT(body.size(), 200u * 1024);

  const std::string out = rewrite_model(body, f, "other");
  EXPECT_EQ(out.size(), body.size() - 6);
  EXPECT_EQ(scan_ok(out).model, "other");

  std::string broken = body;
  broken.insert(head.size() + prompt.size(), 1, '\x02');
  const scan_error e = scan_fail(broken);
  EXPECT_EQ(e.offset, head.size() + prompt.size());
  EXPECT_EQ(e.message, "unescaped control character 0x02 in string at byte " + std::to_string(e.offset));
}

// Random ASCII-only JSON documents (so UTF-8 validation, which scan_request skips, never
// matters), shallow enough to stay far from the depth limit, then mutated bytewise.
class json_generator {
 public:
  explicit json_generator(std::uint32_t seed) : rng_(seed) {}

  std::string document() {
    std::string out;
    ws(out);
    if (pick(12) == 0) {
      value(out, 1);
    } else {
      object(out, 1, true);
    }
    ws(out);
    if (pick(10) < 7) mutate(out);
    return out;
  }

  std::string model_name() {
    std::string out;
    for (std::uint32_t i = 0, n = pick(12); i < n; ++i) {
      static constexpr std::string_view chars = "abcXYZ-_.:/019 \"\\\n\t\x01\x1f{}";
      out += chars[pick(chars.size())];
    }
    return out;
  }

 private:
  std::uint32_t pick(std::size_t n) { return static_cast<std::uint32_t>(rng_() % n); }

  void ws(std::string& out) {
    static constexpr std::string_view options[] = {"", "", "", "", " ", "\n  ", "\t", "\r\n"};
    out += options[pick(std::size(options))];
  }

  void value(std::string& out, int depth) {
    switch (pick(depth >= 6 ? 5 : 8)) {
      case 0:
      case 1: string(out); break;
      case 2:
      case 3: number(out); break;
      case 4: out += std::array<std::string_view, 3>{"true", "false", "null"}[pick(3)]; break;
      case 5:
      case 6: array(out, depth + 1); break;
      default: object(out, depth + 1, false);
    }
  }

  void object(std::string& out, int depth, bool top) {
    // Keys 0-3 are model, stream, model escaped, stream escaped; their top-level values depend on it.
    static constexpr std::string_view keys[] = {R"("model")",   R"("stream")", R"("mod\u0065l")",   R"("\u0073tream")",
                                                R"("messages")", R"("")",       R"("models")",       R"("temperature")",
                                                R"("stream\u0000")"};
    out += '{';
    ws(out);
    for (std::uint32_t i = 0, n = pick(6); i < n; ++i) {
      if (i != 0) {
        out += ',';
        ws(out);
      }
      const std::uint32_t k = pick(std::size(keys) + 1);
      if (k == std::size(keys)) {
        string(out);
      } else {
        out += keys[k];
      }
      ws(out);
      out += ':';
      ws(out);
      if (top && (k == 0 || k == 2) && pick(10) < 8) {
        string(out);
      } else if (top && (k == 1 || k == 3) && pick(10) < 8) {
        out += std::array<std::string_view, 3>{"true", "false", "null"}[pick(3)];
      } else {
        value(out, depth);
      }
      ws(out);
    }
    out += '}';
  }

  void array(std::string& out, int depth) {
    out += '[';
    ws(out);
    for (std::uint32_t i = 0, n = pick(5); i < n; ++i) {
      if (i != 0) {
        out += ',';
        ws(out);
      }
      value(out, depth);
      ws(out);
    }
    out += ']';
  }

  void string(std::string& out) {
    static constexpr std::string_view pieces[] = {
        "a", "gpt-4", "hello world ", "0123456789abcdef0123456789", "\\n", "\\\"", "\\\\", "\\/", "\\b\\f\\r\\t",
        "\\u00e9", "\\u002d", "\\ud83d\\ude00", "\\u0000", "\\uDBFF\\uDFFF", "model", "'", "{[]}:,", "\x7f"};
    out += '"';
    for (std::uint32_t i = 0, n = pick(5); i < n; ++i) out += pieces[pick(std::size(pieces))];
    out += '"';
  }

  void number(std::string& out) {
    if (pick(3) == 0) out += '-';
    if (pick(3) == 0) {
      out += '0';
    } else {
      out += static_cast<char>('1' + pick(9));
      for (std::uint32_t i = 0, n = pick(4); i < n; ++i) out += static_cast<char>('0' + pick(10));
    }
    if (pick(3) == 0) {
      out += '.';
      for (std::uint32_t i = 0, n = 1 + pick(3); i < n; ++i) out += static_cast<char>('0' + pick(10));
    }
    if (pick(4) == 0) {
      out += "eE"[pick(2)];
      if (pick(2) == 0) out += "+-"[pick(2)];
      for (std::uint32_t i = 0, n = 1 + pick(2); i < n; ++i) out += static_cast<char>('0' + pick(10));
    }
  }

  void mutate(std::string& doc) {
    static constexpr std::string_view bytes = "{}[],:\"\\u0189-.eE+tfnlrasx DdCc\n\t\r\x01\x1f\0"sv;
    for (std::uint32_t i = 0, n = 1 + pick(3); i < n; ++i) {
      const std::size_t at = pick(doc.size() + 1);
      const char byte = bytes[pick(bytes.size())];
      switch (pick(6)) {
        case 0:
          if (at < doc.size()) doc.erase(at, 1);
          break;
        case 1: doc.insert(at, 1, byte); break;
        case 2:
          if (at < doc.size()) doc[at] = byte;
          break;
        case 3: doc.resize(at); break;
        case 4: {
          const std::size_t from = pick(doc.size() + 1);
          doc.insert(at, doc.substr(from, pick(8)));
          break;
        }
        default:
          if (at + 1 < doc.size()) std::swap(doc[at], doc[at + 1]);
      }
    }
  }

  std::mt19937 rng_;
};

// What scan_request must say about `doc`, per nlohmann::json (strict RFC 8259, last duplicate
// key wins) plus the field rules. nlohmann takes a NUL byte for the end of the input; no valid
// JSON text contains one.
std::optional<json> reference(const std::string& doc) {
  if (doc.find('\0') != std::string::npos || !json::accept(doc)) return std::nullopt;
  json j = json::parse(doc);
  if (!j.is_object()) return std::nullopt;
  if (j.contains("model") && !j["model"].is_string()) return std::nullopt;
  if (j.contains("stream") && !j["stream"].is_boolean() && !j["stream"].is_null()) return std::nullopt;
  return j;
}

TEST(ScanRequest, AgreesWithNlohmannOnRandomDocuments) {
  json_generator gen(20240611);
  int accepted = 0;
  int rejected = 0;
  int with_model = 0;
  for (int i = 0; i < 6000; ++i) {
    const std::string doc = gen.document();
    SCOPED_TRACE(doc);
    const std::optional<json> expected = reference(doc);
    if (!expected && overflows_double(doc)) continue;
    const auto result = scan_request(doc);
    const auto* f = std::get_if<request_fields>(&result);
    ASSERT_EQ(f != nullptr, expected.has_value()) << (f ? "" : std::get<scan_error>(result).message);
    if (!f) {
      ++rejected;
      EXPECT_LE(std::get<scan_error>(result).offset, doc.size());
      continue;
    }
    ++accepted;
    const json& j = *expected;
    EXPECT_EQ(f->stream, j.contains("stream") && j["stream"] == true);
    ASSERT_EQ(f->model.has_value(), j.contains("model"));
    if (!f->model) continue;
    ++with_model;
    EXPECT_EQ(*f->model, j["model"].get<std::string>());
    expect_span_matches(doc, *f);

    const std::string name = gen.model_name();
    const std::string out = rewrite_model(doc, *f, name);
    json rewritten = j;
    rewritten["model"] = name;
    EXPECT_EQ(json::parse(out), rewritten);
    EXPECT_EQ(scan_ok(out).model, name);
  }
  EXPECT_GT(accepted, 1500);
  EXPECT_GT(rejected, 1500);
  EXPECT_GT(with_model, 500);
}

TEST(StreamOptions, TheTopLevelValueSpanIsKeptNestedOnesAreNot) {
  const std::string body = R"({"model":"m","x":{"stream_options":1},"stream_options" : {"a":[1,{}]} ,"stream":true})";
  const auto f = scan_ok(body);
  EXPECT_EQ(body.substr(f.stream_options_begin, f.stream_options_end - f.stream_options_begin), R"({"a":[1,{}]})");
  for (const std::string scalar : {R"({"stream_options":null})", R"({"stream_options":  12 })"}) {
    const auto g = scan_ok(scalar);
    EXPECT_EQ(scalar.substr(g.stream_options_begin, g.stream_options_end - g.stream_options_begin),
              scalar.find("null") != std::string::npos ? "null" : "12");
  }
  const auto none = scan_ok(R"({"model":"m"})");
  EXPECT_EQ(none.stream_options_begin, none.stream_options_end);
  const std::string twice = R"({"stream_options":{},"stream_options":{"b":1}})";
  const auto last = scan_ok(twice);
  EXPECT_EQ(twice.substr(last.stream_options_begin, last.stream_options_end - last.stream_options_begin), R"({"b":1})");
}

// What ask_for_usage makes of `body`: valid JSON asking for usage, its model span still right.
json asked(const std::string& body) {
  auto f = scan_ok(body);
  const auto out = ask_for_usage(body, f);
  if (!out) {
    ADD_FAILURE() << "nothing to add to " << body;
    return {};
  }
  EXPECT_TRUE(f.usage_added);
  const auto g = scan_ok(*out);
  EXPECT_EQ(g.model, f.model);
  if (f.model) {
    EXPECT_EQ(out->substr(f.model_begin, f.model_end - f.model_begin),
              out->substr(g.model_begin, g.model_end - g.model_begin));
  }
  return json::parse(*out);
}

TEST(AskForUsage, AddsStreamOptionsOrIncludeUsageAndKeepsTheRest) {
  EXPECT_EQ(asked(R"({"model":"m","stream":true})"),
            (json{{"model", "m"}, {"stream", true}, {"stream_options", {{"include_usage", true}}}}));
  EXPECT_EQ(asked(R"( { } )"), (json{{"stream_options", {{"include_usage", true}}}}));
  EXPECT_EQ(asked(R"({"stream_options":null,"model":"m"})"),
            (json{{"model", "m"}, {"stream_options", {{"include_usage", true}}}}));
  EXPECT_EQ(asked(R"({"stream_options":{"continuous_usage_stats":true,"include_usage":false},"model":"m"})"),
            (json{{"model", "m"}, {"stream_options", {{"continuous_usage_stats", true}, {"include_usage", true}}}}));
  EXPECT_EQ(asked(R"({"model":"m","stream_options":{}})"),
            (json{{"model", "m"}, {"stream_options", {{"include_usage", true}}}}));
}

TEST(AskForUsage, LeavesABodyThatAskedAlreadyOrCannotAsk) {
  for (const std::string body :
       {R"({"model":"m","stream_options":{"include_usage":true}})", R"({"stream_options":"yes","model":"m"})"}) {
    auto f = scan_ok(body);
    EXPECT_EQ(ask_for_usage(body, f), std::nullopt) << body;
    EXPECT_FALSE(f.usage_added);
  }
}

}  // namespace
}  // namespace llmd::api
