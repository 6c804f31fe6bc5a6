#include "llmd/proxy/sse.hpp"

namespace llmd::proxy {

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
      ++i;
      while (i < n && chunk[i] != '\r' && chunk[i] != '\n') ++i;
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

std::string sse_error_event(const llmd::http::openai_error& e) { return "data: " + llmd::http::to_json(e) + "\n\n"; }

}  // namespace llmd::proxy
