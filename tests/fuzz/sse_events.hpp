// Server-Sent Events as a client reads them (the WHATWG HTML spec's parser), written apart from
// llm-d's own framing code so that the relay's output is checked against the spec, not itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace llmd::fuzz {

struct sse_reading {
  std::vector<std::string> events;  // the data of each event dispatched, in order
  bool whole = true;                // the text ends between events: no line or event is unfinished
};

// Lines end with CRLF, LF or CR; an empty line dispatches the event, when its data is not empty.
sse_reading read_events(std::string_view text);

}  // namespace llmd::fuzz
