// The token usage an upstream reports, read from its answer as the relay passes it on: the
// top-level "usage" object's "prompt_tokens" and "completion_tokens" of a JSON answer, or of the
// last event of a stream that carries one (OpenAI and vLLM send it in a last event with
// "choices":[] when asked for with stream_options.include_usage).
//
// One forward pass, piece by piece, in a few dozen bytes of state: nothing is buffered or
// allocated, and a piece may end anywhere (mid-key, mid-number, mid-escape). It follows what
// tells where a value ends, strings and brackets, and reads the keys of the top-level object and
// of its usage object: a "usage" inside a string (a model's output) or in a nested object is
// never taken. It checks no more JSON than that: a document that is not an object, a raw
// control byte in a string, a mismatched bracket or a nesting past 128 levels ends the reading.
//
// A JSON answer that comes whole in one piece (most do: a few KiB that one read takes) is read
// from its end, member by member, as far as its usage member: the engines put usage after the
// choices (OpenAI, vLLM and SGLang follow it with a few short members), so the choices are never
// read. That reading trusts the answer to be JSON; one it cannot follow is read forward.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "llmd/http/field_list.hpp"

namespace llmd::proxy {

struct token_usage {
  std::optional<std::uint64_t> prompt_tokens;
  std::optional<std::uint64_t> completion_tokens;
};

// How the upstream's body is framed.
enum class body_format {
  json,          // one JSON document
  event_stream,  // Server-Sent Events, each event's data one JSON document (or "[DONE]")
};

// The format to read the usage of a response with these header fields in; nullopt for a
// compressed body (any Content-Encoding but identity), which is relayed unread.
std::optional<body_format> usage_format(const http::field_list& headers);

class usage_scanner {
 public:
  explicit usage_scanner(body_format format) : format_(format) {}

  // `last`: no piece follows this one.
  void feed(std::string_view piece, bool last = false);

  // The last usage object seen whole with a plausible count in it (an integer from 0 to 2^53);
  // a count missing or implausible there is nullopt. Both are nullopt until one is seen.
  const token_usage& usage() const { return usage_; }

 private:
  enum class document : std::uint8_t { before, open, after };  // after: ended, or not what was expected
  // What the next value means.
  enum class role : std::uint8_t { none, usage, prompt_tokens, completion_tokens };
  // Where an event-stream line is.
  enum class line_part : std::uint8_t { start, name, before_value, data, other };

  static constexpr std::size_t max_depth = 128;
  // Long enough for the longest key looked for, "completion_tokens", when a key is split over pieces.
  static constexpr std::size_t key_capacity = 20;

  void scan_events(const char* p, const char* end);
  // The whole answer is [p, end): reads its top-level members from the last back to its usage;
  // false when the answer is not what JSON would be there.
  bool read_trailing_usage(const char* p, const char* end);
  void end_line();
  void begin_document();
  void scan_json(const char* p, const char* end);
  const char* scan_string(const char* p, const char* end);
  void end_key(std::string_view key);
  const char* scan_count(const char* p, const char* end);
  void open_container(char c);
  void close_container(char c);

  body_format format_;
  token_usage usage_;
  token_usage staged_;  // what the usage object being read holds so far

  document document_ = document::before;
  role next_ = role::none;
  bool in_string_ = false;
  bool escape_ = false;      // the last byte was an escaping backslash in a string
  bool in_key_ = false;      // the string is a key of the top-level or the usage object
  bool expect_key_ = false;  // the next string is a key: after '{' or ',' in an object
  bool in_usage_ = false;    // in the top-level usage object (depth 2)
  bool counting_ = false;    // in the digits of a count
  bool count_ok_ = false;    // they make a plausible count so far
  std::uint8_t key_size_ = 0;  // past key_capacity: too long to be a key looked for
  std::uint16_t depth_ = 0;
  std::uint64_t count_ = 0;
  char key_[key_capacity];
  std::bitset<max_depth> objects_;  // whether the container at each depth is an object

  line_part line_ = line_part::start;
  std::uint8_t name_size_ = 0;  // of "data" matched so far at the start of the line
  bool after_cr_ = false;       // the last byte was a CR: a following LF ends no other line
};

}  // namespace llmd::proxy
