// The byte-level pieces of JSON text that every scanner of it needs: whitespace, digits, hex
// digits, and a fast skip over the plain run of a string. Shared by the request scanner and the
// usage scanner of the relayed answers, both one forward pass over the bytes without a DOM.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace llmd::api {

inline bool is_json_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte the escape `\kind` stands for, or -1 for 'u' (four hex digits follow) and for a
// letter JSON has no escape for.
inline int simple_escape(char kind) {
  switch (kind) {
    case '"': case '\\': case '/': return kind;
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return -1;
  }
}

inline bool ends_plain_run(char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; }

// First '"', '\\' or control byte in [p, end): sixteen bytes at a time with SSE2 (every x86-64
// has it), then eight at a time. Each SWAR term flags the lowest matching byte exactly (borrows
// only propagate upwards from a match), so the lowest set bit of their union is the first match
// on a little-endian load.
inline const char* find_string_special(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1F);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, last_control), v);
    const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), control);
    if (const int mask = _mm_movemask_epi8(hits); mask != 0) return p + std::countr_zero(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t ones = 0x0101010101010101;
    constexpr std::uint64_t highs = 0x8080808080808080;
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      const std::uint64_t quote = w ^ (ones * '"');
      const std::uint64_t backslash = w ^ (ones * '\\');
      const std::uint64_t hits = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                                 ((w - ones * 0x20) & ~w);
      if (const std::uint64_t h = hits & highs; h != 0) return p + std::countr_zero(h) / 8;
      p += 8;
    }
  }
  while (p != end && !ends_plain_run(*p)) ++p;
  return p;
}

}  // namespace llmd::api
