#include "sse_events.hpp"

namespace llmd::fuzz {

namespace {

struct reader {
  sse_reading out;
  std::string data;
  bool data_seen = false;
  bool in_event = false;

  void line(std::string_view text) {
    if (text.empty()) {
      if (data_seen) out.events.push_back(data.substr(0, data.size() - 1));
      data.clear();
      data_seen = false;
      in_event = false;
      return;
    }
    in_event = true;
    const auto colon = text.find(':');
    const auto name = text.substr(0, colon);
    if (name != "data") return;
    auto value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    data.append(value);
    data += '\n';
    data_seen = true;
  }
};

}  // namespace

sse_reading read_events(std::string_view text) {
  reader r;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n') continue;
    r.line(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  r.out.whole = start == text.size() && !r.in_event;
  return std::move(r.out);
}

}  // namespace llmd::fuzz
