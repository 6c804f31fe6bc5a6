#include "llmd/api/request_fields.hpp"

#include <array>
#include <bitset>
#include <cassert>
#include <nlohmann/json.hpp>
#include <utility>

#include "llmd/api/json_bytes.hpp"

namespace llmd::api {
namespace {

// The four hex digits at p (p + 4 <= end is the caller's job), or -1.
long hex4(const char* p) {
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    const int d = hex_value(p[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

bool is_high_surrogate(long cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
bool is_low_surrogate(long cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

// Feeds the unescaped contents of an already validated string body (no quotes) to sink(piece).
template <class Sink>
void unescape(std::string_view raw, Sink&& sink) {
  while (!raw.empty()) {
    const std::size_t slash = raw.find('\\');
    if (slash != 0) {
      sink(raw.substr(0, slash));
      if (slash == std::string_view::npos) return;
      raw.remove_prefix(slash);
    }
    const char kind = raw[1];
    if (kind != 'u') {
      const char c = static_cast<char>(simple_escape(kind));
      sink(std::string_view(&c, 1));
      raw.remove_prefix(2);
      continue;
    }
    long cp = hex4(raw.data() + 2);
    raw.remove_prefix(6);
    if (is_high_surrogate(cp)) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(raw.data() + 2) - 0xDC00);
      raw.remove_prefix(6);
    }
    char utf8[4];
    std::size_t n;
    if (cp < 0x80) {
      utf8[0] = static_cast<char>(cp);
      n = 1;
    } else if (cp < 0x800) {
      utf8[0] = static_cast<char>(0xC0 | (cp >> 6));
      utf8[1] = static_cast<char>(0x80 | (cp & 0x3F));
      n = 2;
    } else if (cp < 0x10000) {
      utf8[0] = static_cast<char>(0xE0 | (cp >> 12));
      utf8[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      utf8[2] = static_cast<char>(0x80 | (cp & 0x3F));
      n = 3;
    } else {
      utf8[0] = static_cast<char>(0xF0 | (cp >> 18));
      utf8[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      utf8[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      utf8[3] = static_cast<char>(0x80 | (cp & 0x3F));
      n = 4;
    }
    sink(std::string_view(utf8, n));
  }
}

// Whether an escaped key spells `name` once unescaped, without materialising it.
bool unescaped_equals(std::string_view raw, std::string_view name) {
  std::size_t pos = 0;
  bool equal = true;
  unescape(raw, [&](std::string_view piece) {
    equal = equal && name.substr(pos).starts_with(piece);
    pos += piece.size();
  });
  return equal && pos == name.size();
}

// What the key just read says of the value that follows.
enum class field { none, model, stream, stream_options, messages, prompt, message_text, part_text };
// What a container holds, for the prompt: every other container is none.
enum class holds : unsigned char { none, messages, message, parts, part, prompt };
enum class model_state { absent, string, not_string };
enum class stream_state { off, on, not_bool };  // null and false are both off

class scanner {
 public:
  scanner(std::string_view body, prompt_sink* prompt)
      : begin_(body.data()), p_(body.data()), end_(body.data() + body.size()), prompt_(prompt) {}

  std::variant<request_fields, scan_error> run() {
    skip_ws();
    if (p_ == end_) return scan_error{"request body is empty", 0};
    const char* top = p_;
    if (!parse_document()) return std::move(error_);
    if (*top != '{') return error_at("request body must be a JSON object", top);
    if (model_ == model_state::not_string) return error_at("'model' must be a string", model_at_);
    if (stream_ == stream_state::not_bool) return error_at("'stream' must be a boolean", stream_at_);

    request_fields fields;
    fields.stream = stream_ == stream_state::on;
    if (options_end_) {
      fields.stream_options_begin = offset(options_at_);
      fields.stream_options_end = offset(options_end_);
    }
    if (model_ == model_state::string) {
      fields.model_begin = static_cast<std::size_t>(model_at_ - begin_);
      fields.model_end = static_cast<std::size_t>(model_end_ - begin_);
      const std::string_view raw(model_at_ + 1, static_cast<std::size_t>(model_end_ - model_at_ - 2));
      if (model_escaped_) {
        std::string model;
        unescape(raw, [&](std::string_view piece) { model.append(piece); });
        fields.model = std::move(model);
      } else {
        fields.model.emplace(raw);
      }
    }
    return fields;
  }

 private:
  std::size_t offset(const char* at) const { return static_cast<std::size_t>(at - begin_); }

  scan_error error_at(std::string_view what, const char* at) const {
    return scan_error{std::string(what), offset(at)};
  }

  // Records a syntax error at p_; at the end of the input every syntax error is the same one.
  bool fail(std::string_view what) { return fail_at(what, p_); }
  bool fail_at(std::string_view what, const char* at) {
    const std::string_view text = at == end_ ? "unexpected end of input" : what;
    error_ = scan_error{std::string(text) + " at byte " + std::to_string(offset(at)), offset(at)};
    return false;
  }

  void skip_ws() {
    while (p_ != end_ && is_json_ws(*p_)) ++p_;
  }

  // One value (the top-level one), iteratively: containers[d] says whether level d + 1 is an object.
  bool parse_document() {
    std::bitset<max_json_depth> containers;
    std::size_t depth = 0;
    field pending = field::none;  // a key that matters was just read; its value comes next
    for (;;) {
      if (p_ == end_) return fail("unexpected end of input");
      const char* value = p_;
      const char c = *p_;
      const field f = std::exchange(pending, field::none);
      const holds parent = prompt_ && depth > 0 ? holds_[depth - 1] : holds::none;
      const bool prompt_value = prompt_ && (f == field::prompt || f == field::message_text ||
                                            f == field::part_text || parent == holds::prompt);
      if (f == field::model && c != '"') {
        model_ = model_state::not_string;
        model_at_ = value;
      } else if (f == field::stream) {
        stream_ = c == 't' ? stream_state::on : (c == 'f' || c == 'n') ? stream_state::off : stream_state::not_bool;
        stream_at_ = value;
      } else if (f == field::stream_options) {
        options_at_ = value;
        options_end_ = nullptr;
      }

      if (c == '{' || c == '[') {
        if (depth == max_json_depth) {
          return fail("nesting exceeds the limit of " + std::to_string(max_json_depth) + " levels");
        }
        if (prompt_) holds_[depth] = prompt_container(c, f, parent);
        containers[depth++] = c == '{';
        ++p_;
        skip_ws();
        if (p_ == end_ || *p_ != (c == '{' ? '}' : ']')) {
          if (c == '{' && !parse_key(depth, pending)) return false;
          continue;
        }
        ++p_;
        --depth;
      } else if (c == '"') {
        bool escaped = false;
        if (!scan_string(escaped)) return false;
        if (prompt_value) prompt_->piece(std::string_view(value + 1, static_cast<std::size_t>(p_ - value - 2)));
        if (f == field::model) {
          model_ = model_state::string;
          model_at_ = value;
          model_end_ = p_;
          model_escaped_ = escaped;
        }
      } else if (c == 't') {
        if (!scan_literal("true")) return false;
      } else if (c == 'f') {
        if (!scan_literal("false")) return false;
      } else if (c == 'n') {
        if (!scan_literal("null")) return false;
      } else if (c == '-' || is_digit(c)) {
        if (!scan_number()) return false;
        if (prompt_value) prompt_->piece(std::string_view(value, static_cast<std::size_t>(p_ - value)));
      } else {
        return fail("expected a value");
      }

      // A value just ended: close containers until one expects another value.
      for (;;) {
        if (depth == 1) note_top_level_value_end();
        skip_ws();
        if (depth == 0) return p_ == end_ || fail("unexpected data after the JSON value");
        if (p_ == end_) return fail("unexpected end of input");
        const bool in_object = containers[depth - 1];
        if (*p_ == ',') {
          ++p_;
          skip_ws();
          if (in_object && !parse_key(depth, pending)) return false;
          break;
        }
        if (*p_ != (in_object ? '}' : ']')) {
          return fail(in_object ? "expected ',' or '}' after object member"
                                : "expected ',' or ']' after array element");
        }
        ++p_;
        --depth;
      }
    }
  }

  // p_ is just past a member value of the top-level object.
  void note_top_level_value_end() {
    if (options_at_ && !options_end_) options_end_ = p_;
  }

  // `"key" :` and the whitespace after it; notes top-level keys that matter in `pending`.
  bool parse_key(std::size_t depth, field& pending) {
    if (p_ == end_ || *p_ != '"') return fail("expected a string object key");
    const char* key = p_;
    bool escaped = false;
    if (!scan_string(escaped)) return false;
    const holds in = prompt_ ? holds_[depth - 1] : holds::none;
    if (depth == 1 || (prompt_ && (in == holds::message || in == holds::part))) {
      const std::string_view raw(key + 1, static_cast<std::size_t>(p_ - key - 2));
      const auto is = [&](std::string_view name) { return escaped ? unescaped_equals(raw, name) : raw == name; };
      if (depth == 1) {
        pending = is("model")            ? field::model
                  : is("stream")         ? field::stream
                  : is("stream_options") ? field::stream_options
                  : !prompt_             ? field::none
                  : is("messages") ? field::messages
                  : is("prompt")   ? field::prompt
                                   : field::none;
      } else if (in == holds::message) {
        pending = is("role") || is("content") ? field::message_text : field::none;
      } else {
        pending = is("text") ? field::part_text : field::none;
      }
    }
    skip_ws();
    if (p_ == end_ || *p_ != ':') return fail("expected ':' after object key");
    ++p_;
    skip_ws();
    return true;
  }

  bool scan_string(bool& escaped) {
    const char* open = p_++;
    for (;;) {
      p_ = find_string_special(p_, end_);
      if (p_ == end_) return fail_at("unterminated string starting", open);
      if (*p_ == '"') {
        ++p_;
        return true;
      }
      if (*p_ != '\\') {
        static constexpr char hex[] = "0123456789abcdef";
        const auto byte = static_cast<unsigned char>(*p_);
        const char code[] = {'0', 'x', hex[byte >> 4], hex[byte & 0xF], '\0'};
        return fail(std::string("unescaped control character ") + code + " in string");
      }
      escaped = true;
      if (!scan_escape(open)) return false;
    }
  }

  bool scan_escape(const char* open) {
    if (end_ - p_ < 2) return fail_at("unterminated string starting", open);
    if (p_[1] != 'u') {
      if (simple_escape(p_[1]) < 0) return fail("invalid escape sequence in string");
      p_ += 2;
      return true;
    }
    const long cp = end_ - p_ >= 6 ? hex4(p_ + 2) : -1;
    if (cp < 0) return fail("invalid \\u escape in string");
    if (is_low_surrogate(cp)) return fail("unpaired surrogate in \\u escape");
    if (!is_high_surrogate(cp)) {
      p_ += 6;
      return true;
    }
    const bool paired = end_ - p_ >= 12 && p_[6] == '\\' && p_[7] == 'u' && is_low_surrogate(hex4(p_ + 8));
    if (!paired) return fail("unpaired surrogate in \\u escape");
    p_ += 12;
    return true;
  }

  bool scan_literal(std::string_view word) {
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (p_ + i == end_) return fail_at("unexpected end of input", end_);
      if (p_[i] != word[i]) return fail(std::string("expected '") + std::string(word) + "'");
    }
    p_ += word.size();
    return true;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool scan_number() {
    if (*p_ == '-') ++p_;
    if (p_ != end_ && *p_ == '0') {
      ++p_;
    } else if (!scan_digits()) {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!scan_digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!scan_digits()) return false;
    }
    return true;
  }

  bool scan_digits() {
    if (p_ == end_ || !is_digit(*p_)) return fail("expected a digit in number");
    while (p_ != end_ && is_digit(*p_)) ++p_;
    return true;
  }

  // What a container opened by `c` holds, from the key before it and the container around it.
  static holds prompt_container(char c, field key, holds parent) {
    if (c == '[') {
      if (key == field::messages) return holds::messages;
      if (key == field::message_text) return holds::parts;
      if (key == field::prompt || parent == holds::prompt) return holds::prompt;
      return holds::none;
    }
    if (parent == holds::messages) return holds::message;
    if (parent == holds::parts) return holds::part;
    return holds::none;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  prompt_sink* prompt_;
  // By depth, for the prompt: what each open container holds, set as it opens (only with a
  // prompt sink; never read otherwise, so never cleared).
  std::array<holds, max_json_depth> holds_;
  scan_error error_;
  model_state model_ = model_state::absent;
  const char* model_at_ = nullptr;
  const char* model_end_ = nullptr;
  bool model_escaped_ = false;
  stream_state stream_ = stream_state::off;
  const char* stream_at_ = nullptr;
  const char* options_at_ = nullptr;   // the last top-level stream_options value
  const char* options_end_ = nullptr;
};

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  while (!s.empty()) {
    const char* plain_end = find_string_special(s.data(), s.data() + s.size());
    const auto run = static_cast<std::size_t>(plain_end - s.data());
    out.append(s.data(), run);
    s.remove_prefix(run);
    if (s.empty()) break;
    const char c = s.front();
    s.remove_prefix(1);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static constexpr char hex[] = "0123456789abcdef";
        const auto byte = static_cast<unsigned char>(c);
        out += "\\u00";
        out += hex[byte >> 4];
        out += hex[byte & 0xF];
      }
    }
  }
  out += '"';
}

}  // namespace

std::variant<request_fields, scan_error> scan_request(std::string_view body, prompt_sink* prompt) {
  return scanner(body, prompt).run();
}

std::string rewrite_model(std::string_view body, const request_fields& fields, std::string_view new_model) {
  assert(fields.model && fields.model_begin < fields.model_end && fields.model_end <= body.size());
  std::string out;
  out.reserve(body.size() - (fields.model_end - fields.model_begin) + new_model.size() + 2);
  out.append(body.substr(0, fields.model_begin));
  append_json_string(out, new_model);
  out.append(body.substr(fields.model_end));
  return out;
}

std::optional<std::string> ask_for_usage(std::string_view body, request_fields& fields) {
  static constexpr std::string_view options = R"({"include_usage":true})";
  std::size_t at;
  std::size_t removed = 0;
  std::string inserted;
  if (fields.stream_options_begin == fields.stream_options_end) {
    // First in the object, so that no comma of the client's is needed.
    at = body.find('{') + 1;
    const auto next = body.find_first_not_of(" \t\r\n", at);
    inserted = std::string(R"("stream_options":)") + std::string(options) + (body[next] == '}' ? "" : ",");
  } else {
    at = fields.stream_options_begin;
    removed = fields.stream_options_end - at;
    auto given = nlohmann::json::parse(body.substr(at, removed), nullptr, false);
    if (given.is_null()) {
      inserted = options;
    } else if (!given.is_object()) {
      return std::nullopt;
    } else {
      const auto asked = given.find("include_usage");
      if (asked != given.end() && *asked == true) return std::nullopt;
      given["include_usage"] = true;
      inserted = given.dump();
    }
  }
  std::string out;
  out.reserve(body.size() - removed + inserted.size());
  out.append(body.substr(0, at)).append(inserted).append(body.substr(at + removed));
  if (fields.model && fields.model_begin >= at) {
    const auto moved = static_cast<std::ptrdiff_t>(inserted.size()) - static_cast<std::ptrdiff_t>(removed);
    fields.model_begin = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(fields.model_begin) + moved);
    fields.model_end = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(fields.model_end) + moved);
  }
  fields.usage_added = true;
  return out;
}

}  // namespace llmd::api
