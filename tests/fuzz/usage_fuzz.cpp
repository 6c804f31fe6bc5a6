// An upstream's answer through usage_scanner, as the relay feeds it: the first input byte
// chooses the format (bit 0: JSON or an event stream) and where the rest is cut into pieces.
//
// Oracle: where nlohmann/json can judge the answer (usage_reference.hpp), the scanner gives its
// usage however the answer is cut, and so does reading a whole JSON answer from its end. A JSON
// answer's forward reading gives the same usage however it is cut, whatever its bytes; an event
// stream's may not when it is not JSON (a line that cannot hold a usage object is passed over
// when whole, read when cut).
#include <cstdint>
#include <string>

#include "llmd/proxy/usage_scanner.hpp"
#include "oracle.hpp"
#include "splits.hpp"
#include "usage_reference.hpp"

namespace llmd::fuzz {
namespace {

std::string describe(const proxy::token_usage& u) {
  const auto show = [](const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "none"; };
  return "prompt " + show(u.prompt_tokens) + ", completion " + show(u.completion_tokens);
}

void check_same(const proxy::token_usage& got, const proxy::token_usage& want, std::string_view what,
                std::string_view body) {
  check(got == want, what, describe(got) + " instead of " + describe(want) + " in:\n" + std::string(body));
}

}  // namespace
}  // namespace llmd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llmd::fuzz;
  using llmd::proxy::body_format;
  using llmd::proxy::usage_scanner;
  if (size == 0) return 0;
  const auto format = data[0] & 1 ? body_format::event_stream : body_format::json;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  usage_scanner whole_forward(format);
  whole_forward.feed(body);
  usage_scanner in_pieces(format);
  for (const auto piece : split(body, static_cast<std::uint8_t>(data[0] >> 1))) in_pieces.feed(piece);
  if (format == body_format::json) {
    check_same(in_pieces.usage(), whole_forward.usage(), "cutting the answer changed its usage", body);
  }
  const auto judged = reference_usage(body, format);
  if (!judged) return 0;
  check_same(whole_forward.usage(), *judged, "the usage is not nlohmann/json's", body);
  check_same(in_pieces.usage(), *judged, "the usage of the answer cut in pieces is not nlohmann/json's", body);
  if (format == body_format::json) {
    usage_scanner from_end(format);
    from_end.feed(body, true);
    check_same(from_end.usage(), *judged, "the usage read from the end is not nlohmann/json's", body);
  }
  return 0;
}
