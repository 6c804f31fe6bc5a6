// Server-Sent Events framing for the streaming relay: where upstream events end, so an incomplete
// trailing event can be held back and an error event injected on a clean boundary.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "llmd/http/field_list.hpp"
#include "llmd/http/openai_error.hpp"

namespace llmd::proxy {

// Lines end with CRLF, LF or CR; an empty line ends an event. A CRLF split across chunks is one
// line ending.
class sse_boundary {
 public:
  // Feeds the next chunk; returns the length of the prefix of `chunk` that ends at the last event
  // boundary inside it (0 when there is none). Invariant: at_boundary() afterwards is true exactly
  // when a non-empty chunk returned chunk.size().
  std::size_t feed(std::string_view chunk);

  // True when the bytes fed so far end on an event boundary (also before any byte).
  bool at_boundary() const { return !in_line_ && !in_event_; }

 private:
  bool in_line_ = false;   // the current line has content
  bool in_event_ = false;  // a non-empty line ended since the last empty line
  bool after_cr_ = false;  // the last byte was a CR: a following LF belongs to its line ending
};

// Whether the last of whole `events` that has data is [DONE], as a client's parser reads it: an
// event's data lines are joined, so its one data line is `data: [DONE]` (or `data:[DONE]`), and an
// event without data (a comment, an id) dispatches nothing. nullopt when no event has data.
std::optional<bool> last_data_is_done(std::string_view events);

// Whether the Content-Type is text/event-stream.
bool is_event_stream(const llmd::http::field_list& headers);

// The first CR or LF in [p, end), or end.
const char* find_line_end(const char* p, const char* end);

// `events` (whole events) without those that carry only usage ("choices":[] and a "usage" object),
// which llm-d asked for itself (api::ask_for_usage); the result is `events` itself when there are
// none, else what `kept` now holds.
std::string_view without_usage_events(std::string_view events, std::string& kept);

// "data: {\"error\":{...}}\n\n": the OpenAI-shaped error as one SSE event.
std::string sse_error_event(const llmd::http::openai_error& e);

}  // namespace llmd::proxy
