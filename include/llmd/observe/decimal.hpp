// Decimal digits written through a pointer, three at a time from a table: the access line writes
// a score of small numbers per request, and std::to_chars, out of line with its range checks, cost
// a third of the line's instructions.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace llmd::observe {

namespace detail {

// "000" to "999", three bytes each.
inline constexpr std::array<char, 3000> digit_groups = [] {
  std::array<char, 3000> groups{};
  for (int i = 0; i < 1000; ++i) {
    groups[3 * i] = static_cast<char>('0' + i / 100);
    groups[3 * i + 1] = static_cast<char>('0' + i / 10 % 10);
    groups[3 * i + 2] = static_cast<char>('0' + i % 10);
  }
  return groups;
}();

}  // namespace detail

// Writes `n` in exactly `width` digits, zeros first, ending at `end`; `n` must fit in them.
inline void write_fixed(char* end, std::uint64_t n, int width) {
  for (; width >= 3; width -= 3, n /= 1000) {
    end -= 3;
    std::memcpy(end, &detail::digit_groups[3 * (n % 1000)], 3);
  }
  if (width == 2) {
    std::memcpy(end - 2, &detail::digit_groups[3 * n + 1], 2);
  } else if (width == 1) {
    end[-1] = static_cast<char>('0' + n);
  }
}

// Writes `n` at `at` (at most 20 bytes) and returns the end.
inline char* write_decimal(char* at, std::uint64_t n) {
  int width = 1;
  for (std::uint64_t bound = 10; width < 20 && n >= bound; bound *= 10) ++width;
  write_fixed(at + width, n, width);
  return at + width;
}

}  // namespace llmd::observe
