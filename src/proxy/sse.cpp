#include "llmd/proxy/sse.hpp"

#include <cstring>

namespace llmd::proxy {

namespace {

// The index of the first CR or LF at or after `from` (the chunk's size when there is none):
// two memchr passes beat a byte loop, and streams rarely hold a CR at all.
std::size_t line_end(std::string_view chunk, std::size_t from) {
  const char* begin = chunk.data() + from;
  const std::size_t span = chunk.size() - from;
  const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', span));
  const std::size_t before_lf = lf ? static_cast<std::size_t>(lf - begin) : span;
  const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', before_lf));
  return from + (cr ? static_cast<std::size_t>(cr - begin) : before_lf);
}

}  // namespace

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
      i = line_end(chunk, i + 1);
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
