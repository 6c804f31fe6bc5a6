#include "llmd/proxy/sse.hpp"

#include <boost/beast/core/string.hpp>
#include <cstring>

namespace llmd::proxy {

// Two memchr passes beat a byte loop, and streams rarely hold a CR at all.
const char* find_line_end(const char* p, const char* end) {
  const auto span = static_cast<std::size_t>(end - p);
  const auto* lf = static_cast<const char*>(std::memchr(p, '\n', span));
  const std::size_t before_lf = lf ? static_cast<std::size_t>(lf - p) : span;
  const auto* cr = static_cast<const char*>(std::memchr(p, '\r', before_lf));
  return cr ? cr : p + before_lf;
}

// The LF of a CRLF whose CR ended an event ("\r\r" + "\n", "\r\n\r" + "\n") is part of that
// event's terminator: the spec's parser dispatches on the CR and then skips the LF, so it starts
// no line and the stream is still on a boundary after it. feed() reports the boundary after such
// an LF, so a chunk of nothing but that LF returns 1 rather than leaving it to be held back.
std::size_t sse_boundary::feed(std::string_view chunk) {
  std::size_t last = 0;
  const std::size_t n = chunk.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = chunk[i];
    if (c != '\r' && c != '\n') {
      in_line_ = true;
      after_cr_ = false;
      i = static_cast<std::size_t>(find_line_end(chunk.data() + i + 1, chunk.data() + n) - chunk.data());
      continue;
    }
    const bool continues_crlf = after_cr_ && c == '\n';
    after_cr_ = c == '\r';
    ++i;
    if (continues_crlf) {
      if (!in_event_) last = i;
    } else if (in_line_) {
      in_line_ = false;
      in_event_ = true;
    } else {
      in_event_ = false;
      last = i;
    }
  }
  return last;
}

namespace {

// Past the line ending at `eol` (CRLF, LF or CR), or `end` when there is none.
const char* past_line_end(const char* eol, const char* end) {
  if (eol == end) return end;
  return eol + (*eol == '\r' && eol + 1 != end && eol[1] == '\n' ? 2 : 1);
}

// The length of the first event of `events`, its blank line included; all of it when it has none.
std::size_t first_event(std::string_view events) {
  const char* const begin = events.data();
  const char* const end = begin + events.size();
  bool line_has_content = false;
  for (const char* p = begin; p < end;) {
    if (*p != '\r' && *p != '\n') {
      p = find_line_end(p, end);
      line_has_content = true;
      continue;
    }
    p = past_line_end(p, end);
    if (!line_has_content) return static_cast<std::size_t>(p - begin);
    line_has_content = false;
  }
  return events.size();
}

// A quote inside a JSON string is escaped, so these bytes can't come from a model's text.
bool is_usage_event(std::string_view event) {
  return event.find(R"("choices":[])") != std::string_view::npos &&
         event.find(R"("usage":{)") != std::string_view::npos;
}

}  // namespace

std::string_view without_usage_events(std::string_view events, std::string& kept) {
  bool dropped = false;
  for (std::size_t at = 0; at < events.size();) {
    const auto event = events.substr(at, first_event(events.substr(at)));
    if (is_usage_event(event)) {
      if (!dropped) kept.assign(events.substr(0, at));
      dropped = true;
    } else if (dropped) {
      kept.append(event);
    }
    at += event.size();
  }
  return dropped ? std::string_view(kept) : events;
}

std::optional<bool> last_data_is_done(std::string_view events) {
  std::optional<bool> last;
  int data_lines = 0;
  bool done = false;
  const char* const end = events.data() + events.size();
  for (const char* p = events.data(); p != end;) {
    const char* eol = find_line_end(p, end);
    const std::string_view line(p, static_cast<std::size_t>(eol - p));
    if (line.empty()) {
      if (data_lines > 0) last = data_lines == 1 && done;
      data_lines = 0;
      done = false;
    } else if (line.starts_with("data") && (line.size() == 4 || line[4] == ':')) {
      ++data_lines;
      done = line == "data: [DONE]" || line == "data:[DONE]";
    }
    p = past_line_end(eol, end);
  }
  return last;
}

bool is_event_stream(const llmd::http::field_list& headers) {
  const auto type = headers.find(boost::beast::http::field::content_type);
  return type && boost::beast::iequals(type->substr(0, 17), "text/event-stream");
}

std::string sse_error_event(const llmd::http::openai_error& e) { return "data: " + llmd::http::to_json(e) + "\n\n"; }

}  // namespace llmd::proxy
