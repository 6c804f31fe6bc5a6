#include "llmd/observe/decimal.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace llmd::observe {
namespace {

std::string decimal(std::uint64_t n) {
  char text[20];
  return std::string(text, write_decimal(text, n));
}

std::string fixed(std::uint64_t n, int width) {
  char text[20];
  write_fixed(text + width, n, width);
  return std::string(text, static_cast<std::size_t>(width));
}

TEST(decimal, writes_every_width_as_to_string_does) {
  for (const std::uint64_t n : {0, 9, 10, 99, 100, 999, 1000, 65535, 4711, 1234567}) {
    EXPECT_EQ(decimal(n), std::to_string(n));
  }
  std::uint64_t power = 1;
  for (int i = 0; i < 19; ++i, power *= 10) {
    EXPECT_EQ(decimal(power - 1), std::to_string(power - 1));
    EXPECT_EQ(decimal(power), std::to_string(power));
  }
  EXPECT_EQ(decimal(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(decimal, width_counts_the_digits) {
  EXPECT_EQ(decimal_width(0), 1);
  EXPECT_EQ(decimal_width(1), 1);
  std::uint64_t power = 10;
  for (int digits = 2; digits <= 19; ++digits, power *= 10) {
    EXPECT_EQ(decimal_width(power - 1), digits - 1);
    EXPECT_EQ(decimal_width(power), digits);
  }
  EXPECT_EQ(decimal_width(power - 1), 19);
  EXPECT_EQ(decimal_width(power), 20);
  EXPECT_EQ(decimal_width(std::numeric_limits<std::uint64_t>::max()), 20);
}

TEST(decimal, fixed_width_pads_with_zeros) {
  EXPECT_EQ(fixed(0, 3), "000");
  EXPECT_EQ(fixed(7, 3), "007");
  EXPECT_EQ(fixed(12, 3), "012");
  EXPECT_EQ(fixed(567, 6), "000567");
  EXPECT_EQ(fixed(999999, 6), "999999");
  EXPECT_EQ(fixed(5, 1), "5");
  EXPECT_EQ(fixed(42, 2), "42");
  EXPECT_EQ(fixed(1234, 4), "1234");
  EXPECT_EQ(fixed(12, 5), "00012");
}

}  // namespace
}  // namespace llmd::observe
