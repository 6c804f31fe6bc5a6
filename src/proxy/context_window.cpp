#include "llmd/proxy/context_window.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace llmd::proxy {

namespace {

bool contains_folded(std::string_view text, std::string_view lower_needle) {
  const auto it = std::search(text.begin(), text.end(), lower_needle.begin(), lower_needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return it != text.end();
}

}  // namespace

bool is_context_length_error(std::string_view body) {
  static constexpr std::array<std::string_view, 5> markers = {
      "context_length_exceeded", "maximum context length", "context length", "context window",
      "prompt is too long"};
  return std::any_of(markers.begin(), markers.end(), [&](std::string_view m) { return contains_folded(body, m); });
}

}  // namespace llmd::proxy
