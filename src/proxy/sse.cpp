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

bool is_event_stream(const llmd::http::field_list& headers) {
  const auto type = headers.find(boost::beast::http::field::content_type);
  return type && boost::beast::iequals(type->substr(0, 17), "text/event-stream");
}

std::string sse_error_event(const llmd::http::openai_error& e) { return "data: " + llmd::http::to_json(e) + "\n\n"; }

}  // namespace llmd::proxy
