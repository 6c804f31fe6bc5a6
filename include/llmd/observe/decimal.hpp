// Decimal digits written through a pointer, three at a time from a table: the access line writes
// a score of small numbers per request, and std::to_chars, out of line with its range checks, cost
// a third of the line's instructions.
#pragma once

#include <array>
#include <bit>
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

inline constexpr std::array<std::uint64_t, 20> powers_of_ten = [] {
  std::array<std::uint64_t, 20> powers{};
  std::uint64_t p = 1;
  for (auto& power : powers) {
    power = p;
    p *= 10;
  }
  return powers;
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

// The digits `n` takes: from its bits, floor(log10(2) * bits) (1233 / 4096 being log10(2)) is
// the count or one short of it. `n | 1` has the same count and at least one bit.
inline int decimal_width(std::uint64_t n) {
  const std::uint64_t m = n | 1;
  const int guess = (std::bit_width(m) * 1233) >> 12;
  return guess + (m >= detail::powers_of_ten[guess]);
}

// Writes `n` at `at` (at most 20 bytes) and returns the end.
inline char* write_decimal(char* at, std::uint64_t n) {
  if (n < 10) {
    *at = static_cast<char>('0' + n);
    return at + 1;
  }
  const int width = decimal_width(n);
  write_fixed(at + width, n, width);
  return at + width;
}

}  // namespace llmd::observe
