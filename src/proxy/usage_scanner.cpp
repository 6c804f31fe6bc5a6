#include "llmd/proxy/usage_scanner.hpp"

#include <array>
#include <boost/beast/core/string.hpp>
#include <cstring>
#include <utility>

#include "llmd/api/json_bytes.hpp"
#include "llmd/proxy/sse.hpp"

namespace llmd::proxy {

namespace {

// Integers are exact in a JSON parser's double up to 2^53: a larger "count" is no count.
constexpr std::uint64_t max_count = std::uint64_t{1} << 53;
constexpr std::string_view data_field = "data";

// The bytes that matter outside strings.
constexpr auto stops = [] {
  std::array<bool, 256> table{};
  for (const char c : std::string_view("\"{}[],")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// Whether [p, end) may hold a usage object: "usage" as a key whose value is an object, or whose
// value lies past `end`. A usage object's key always shows as these bytes, since a key looked for
// is never written with escapes (see scan_string); a match inside a string only costs a full read.
bool may_hold_usage(const char* p, const char* end) {
  static constexpr std::string_view rest = "sage\"";
  // From the 'u' (memchr is quicker than memmem, and 'u' rarer than '"' in JSON).
  for (const char* begin = p; (p = static_cast<const char*>(std::memchr(p, 'u', static_cast<std::size_t>(end - p))));) {
    const char* key = p++;
    if (key == begin || key[-1] != '"' || static_cast<std::size_t>(end - p) < rest.size() ||
        std::memcmp(p, rest.data(), rest.size()) != 0) {
      continue;
    }
    p += rest.size();
    while (p != end && api::is_json_ws(*p)) ++p;
    if (p == end) return true;
    if (*p != ':') continue;
    ++p;
    while (p != end && api::is_json_ws(*p)) ++p;
    if (p == end || *p == '{') return true;
  }
  return false;
}

// Past the event starting at `p` when it is one line ended by "\n\n" in [p, end) (as OpenAI and
// vLLM frame theirs) that cannot hold a usage object; else null. Most events of a stream are
// passed over so, without reading their JSON.
const char* past_event_without_usage(const char* p, const char* end) {
  const char* eol = find_line_end(p, end);
  if (end - eol < 2 || eol[0] != '\n' || eol[1] != '\n' || may_hold_usage(p, eol)) return nullptr;
  return eol + 2;
}

// Whether `key` is `name`, compared at a size known when compiled, without a call.
template <std::size_t N>
bool is_key(std::string_view key, const char (&name)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

// Reads a JSON answer from its end, trusting it to be JSON: from the last member of its object
// back to the first, each value passed over without being read, but for a "usage" object's counts.
class backward_reader {
 public:
  backward_reader(const char* begin, const char* end) : begin_(begin), p_(end) {}

  // The answer's object, back to its usage object with a count (the last one, as the forward
  // reading keeps); false when what it walks is not JSON.
  bool whole_object(std::optional<token_usage>& found) {
    if (before_space() != '}') return false;
    const bool walked = members([&](std::string_view key, const token_usage* counts, std::optional<std::uint64_t>) {
      if (is_key(key, "usage") && counts && (counts->prompt_tokens || counts->completion_tokens)) found = *counts;
      return found.has_value();
    });
    if (!walked) return false;
    if (found) return true;
    before_space();
    return p_ == begin_;  // read whole without a usage object: there is none
  }

 private:
  // From just past an object's '}' to its '{', its members last first. `member(key, counts,
  // count)` gets each key with, for an object value, the counts found in it (else null), and for
  // a scalar value, the count it is (when it is a plausible one); returning true stops the walk.
  template <class F>
  bool members(F member) {
    --p_;
    token_usage counts;
    for (;;) {
      const char last = before_space();
      if (last == '{') {
        --p_;
        return true;
      }
      const bool object = last == '}';
      std::optional<std::uint64_t> count;
      if (object) {
        counts = {};
        if (!counts_object(counts)) return false;
      } else if (!back_over_value(last, count)) {
        return false;
      }
      const auto key = back_over_key();
      if (!key) return false;
      if (member(*key, object ? &counts : nullptr, count)) return true;
      const char separator = before_space();
      if (separator == ',') {
        --p_;
      } else if (separator != '{') {
        return false;
      }
    }
  }

  // An object value: its own prompt_tokens and completion_tokens (the last of each, as the
  // forward reading keeps), nested values passed over.
  bool counts_object(token_usage& counts) {
    bool prompt_seen = false;
    bool completion_seen = false;
    return members([&](std::string_view key, const token_usage*, std::optional<std::uint64_t> count) {
      if (is_key(key, "prompt_tokens") && !std::exchange(prompt_seen, true)) counts.prompt_tokens = count;
      if (is_key(key, "completion_tokens") && !std::exchange(completion_seen, true)) counts.completion_tokens = count;
      return false;
    });
  }

  // The key before a member's value, from just before that value: `"key" :`.
  std::optional<std::string_view> back_over_key() {
    if (before_space() != ':') return std::nullopt;
    --p_;
    if (before_space() != '"') return std::nullopt;
    const char* key_end = p_ - 1;
    if (!back_over_string()) return std::nullopt;
    return std::string_view(p_ + 1, static_cast<std::size_t>(key_end - p_ - 1));
  }

  // From just past a value other than an object, whose last byte is `last`, to its first byte;
  // `count` is set when the value is a plausible count.
  bool back_over_value(char last, std::optional<std::uint64_t>& count) {
    if (last == '"') return back_over_string();
    if (last == ']') return back_over_container();
    // Back to the byte after the ':' (or whitespace), reading the digits as it goes.
    const char* token_end = p_;
    std::uint64_t n = 0;
    std::uint64_t place = 1;
    bool digits_only = true;
    for (; p_ != begin_; --p_) {
      const char c = p_[-1];
      if (api::is_digit(c)) {
        n += static_cast<std::uint64_t>(c - '0') * place;
        place *= 10;
      } else if (api::is_json_ws(c) || c == ':') {
        break;
      } else {
        digits_only = false;
      }
    }
    if (p_ == token_end) return false;
    // A plausible count: an integer from 0 to 2^53 in plain digits (past 2^53 with 17).
    if (digits_only && token_end - p_ <= 16 && n <= max_count) count = n;
    return true;
  }

  bool back_over_container() {
    int depth = 0;
    while (p_ != begin_) {
      const char c = p_[-1];
      if (c == '"') {
        if (!back_over_string()) return false;
        continue;
      }
      --p_;
      if (c == '}' || c == ']') ++depth;
      if ((c == '{' || c == '[') && --depth == 0) return true;
    }
    return false;
  }

  // From just past a string's closing quote to its opening quote (memrchr: keys are short, but
  // a byte-at-a-time loop was a third of the reading).
  bool back_over_string() {
    --p_;
    while (p_ != begin_) {
      const auto* quote = static_cast<const char*>(memrchr(begin_, '"', static_cast<std::size_t>(p_ - begin_)));
      if (!quote) return false;
      p_ = quote;
      if (!escaped(quote)) return true;
    }
    return false;
  }

  // A quote ends or starts a string unless an odd run of backslashes comes before it.
  bool escaped(const char* quote) const {
    bool odd = false;
    for (const char* run = quote; run != begin_ && run[-1] == '\\'; --run) odd = !odd;
    return odd;
  }

  // Back over whitespace: the byte before the reading point then, or 0 at the answer's start (0
  // is no byte looked for).
  char before_space() {
    for (; p_ != begin_; --p_) {
      if (!api::is_json_ws(p_[-1])) return p_[-1];
    }
    return '\0';
  }

  const char* begin_;
  const char* p_;
};

}  // namespace

std::optional<body_format> usage_format(const http::field_list& headers) {
  const auto encoding = headers.find(boost::beast::http::field::content_encoding);
  if (encoding && !boost::beast::iequals(*encoding, "identity")) return std::nullopt;
  return is_event_stream(headers) ? body_format::event_stream : body_format::json;
}

void usage_scanner::feed(std::string_view piece, bool last) {
  const char* p = piece.data();
  const char* end = p + piece.size();
  if (format_ == body_format::event_stream) return scan_events(p, end);
  // Nothing but whitespace came before: the piece is the whole answer.
  if (last && document_ == document::before && read_trailing_usage(p, end)) return;
  scan_json(p, end);
}

bool usage_scanner::read_trailing_usage(const char* begin, const char* end) {
  backward_reader answer(begin, end);
  std::optional<token_usage> found;
  if (!answer.whole_object(found)) return false;
  if (found) usage_ = *found;
  return true;
}

void usage_scanner::scan_events(const char* p, const char* end) {
  while (p != end) {
    const char c = *p;
    if (c == '\r' || c == '\n') {
      const bool ends_crlf = after_cr_ && c == '\n';
      after_cr_ = c == '\r';
      ++p;
      if (!ends_crlf) end_line();
      continue;
    }
    after_cr_ = false;
    switch (line_) {
      case line_part::start:
        if (document_ == document::before) {  // nothing of the event's document is read yet
          if (const char* next = past_event_without_usage(p, end)) {
            p = next;
            break;
          }
        }
        line_ = line_part::name;
        name_size_ = 0;
        break;
      case line_part::name:
        if (name_size_ < data_field.size() && c == data_field[name_size_]) {
          ++name_size_;
          ++p;
        } else if (c == ':' && name_size_ == data_field.size()) {
          line_ = line_part::before_value;
          ++p;
        } else {
          line_ = line_part::other;
        }
        break;
      case line_part::before_value:
        line_ = line_part::data;
        if (c == ' ') ++p;
        break;
      case line_part::data: {
        const char* eol = find_line_end(p, end);
        scan_json(p, eol);
        p = eol;
        break;
      }
      case line_part::other:
        p = find_line_end(p, end);
        break;
    }
  }
}

void usage_scanner::end_line() {
  static constexpr char lf = '\n';
  switch (line_) {
    case line_part::start:  // an empty line: the event ends
      begin_document();
      break;
    case line_part::name:
      if (name_size_ != data_field.size()) break;
      [[fallthrough]];  // "data" alone is an empty data line
    case line_part::before_value:
    case line_part::data:
      // The spec joins an event's data lines with LFs: to JSON, whitespace between tokens.
      scan_json(&lf, &lf + 1);
      break;
    case line_part::other:
      break;
  }
  line_ = line_part::start;
}

void usage_scanner::begin_document() {
  document_ = document::before;
  next_ = role::none;
  in_string_ = false;
  escape_ = false;
  in_usage_ = false;
  depth_ = 0;
}

void usage_scanner::scan_json(const char* p, const char* end) {
  if (document_ == document::before) {
    while (p != end && api::is_json_ws(*p)) ++p;
    if (p == end) return;
    // Only an object has a usage member.
    if (*p++ != '{') {
      document_ = document::after;
      return;
    }
    document_ = document::open;
    open_container('{');
  }
  if (document_ != document::open) return;
  while (p != end) {
    if (in_string_) {
      p = scan_string(p, end);
    } else if (next_ == role::prompt_tokens || next_ == role::completion_tokens) {
      p = scan_count(p, end);
    } else {
      while (p != end && !stops[static_cast<unsigned char>(*p)]) ++p;
      if (p == end) return;
      const char c = *p++;
      if (c == '"') {
        in_key_ = expect_key_ && (depth_ == 1 || (depth_ == 2 && in_usage_));
        expect_key_ = false;
        next_ = role::none;
        const char* close = api::find_string_special(p, end);
        if (close != end && *close == '"') {  // the usual case: the whole string in this piece, unescaped
          if (in_key_) end_key(std::string_view(p, static_cast<std::size_t>(close - p)));
          p = close + 1;
          continue;
        }
        in_string_ = true;
        key_size_ = 0;
      } else if (c == '{' || c == '[') {
        open_container(c);
      } else if (c == ',') {
        expect_key_ = objects_[depth_ - 1];
        next_ = role::none;
      } else {
        close_container(c);
      }
    }
    if (document_ != document::open) return;
  }
}

void usage_scanner::open_container(char c) {
  if (depth_ == max_depth) {
    document_ = document::after;
    return;
  }
  const bool object = c == '{';
  objects_[depth_++] = object;
  expect_key_ = object;
  if (depth_ == 2 && next_ == role::usage && object) {
    in_usage_ = true;
    staged_ = {};
  }
  next_ = role::none;
}

void usage_scanner::close_container(char c) {
  if (objects_[depth_ - 1] != (c == '}')) {
    document_ = document::after;
    return;
  }
  if (depth_ == 2 && in_usage_) {
    in_usage_ = false;
    if (staged_.prompt_tokens || staged_.completion_tokens) usage_ = staged_;
  }
  if (--depth_ == 0) document_ = document::after;
  expect_key_ = false;
  next_ = role::none;
}

const char* usage_scanner::scan_string(const char* p, const char* end) {
  while (p != end) {
    if (escape_) {  // the byte after a backslash ends no string
      escape_ = false;
      ++p;
      continue;
    }
    const char* stop = api::find_string_special(p, end);
    if (in_key_) {
      const std::string_view run(p, static_cast<std::size_t>(stop - p));
      if (key_size_ + run.size() <= key_capacity) {
        run.copy(key_ + key_size_, run.size());
        key_size_ = static_cast<std::uint8_t>(key_size_ + run.size());
      } else {
        key_size_ = key_capacity + 1;
      }
    }
    p = stop;
    if (p == end) break;
    const char c = *p++;
    if (c == '"') {
      in_string_ = false;
      if (in_key_) end_key(key_size_ <= key_capacity ? std::string_view(key_, key_size_) : std::string_view());
      break;
    }
    if (c != '\\') {  // a raw control byte
      document_ = document::after;
      return end;
    }
    escape_ = true;
    // No key looked for needs an escape, and no server writes one with any: a key with a
    // backslash is none of them, which spares unescaping it.
    key_size_ = key_capacity + 1;
  }
  return p;
}

void usage_scanner::end_key(std::string_view key) {
  if (depth_ == 1) {
    if (key == "usage") next_ = role::usage;
    return;
  }
  if (key == "prompt_tokens") {
    next_ = role::prompt_tokens;
    staged_.prompt_tokens.reset();
  } else if (key == "completion_tokens") {
    next_ = role::completion_tokens;
    staged_.completion_tokens.reset();
  } else {
    return;
  }
  counting_ = false;
  count_ok_ = true;
  count_ = 0;
}

// The value of "prompt_tokens" or "completion_tokens", from the byte after the key's quote; it
// stops at the byte after the number, or at the first of any other value.
const char* usage_scanner::scan_count(const char* p, const char* end) {
  for (; p != end; ++p) {
    const char c = *p;
    if (api::is_digit(c)) {
      // Once past max_count the value is never read, whatever it wraps to.
      count_ = count_ * 10 + static_cast<std::uint64_t>(c - '0');
      count_ok_ = count_ok_ && count_ <= max_count;
      counting_ = true;
    } else if (c == '-' || c == '.' || c == 'e' || c == 'E' || c == '+') {
      count_ok_ = false;  // not an integer, or not a JSON number at all
      counting_ = true;
    } else if (counting_ || (c != ':' && !api::is_json_ws(c))) {
      if (counting_ && count_ok_) (next_ == role::prompt_tokens ? staged_.prompt_tokens : staged_.completion_tokens) = count_;
      next_ = role::none;
      break;
    }
  }
  return p;
}

}  // namespace llmd::proxy
