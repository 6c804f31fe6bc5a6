#include "llmd/metrics/exposition.hpp"

#include <gtest/gtest.h>
#include <limits>
#include <string>

namespace llmd::metrics {
namespace {

using namespace std::literals;

std::string value(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

TEST(append_value, writes_numbers_as_the_prometheus_client_libraries_do) {
  EXPECT_EQ(value(0.005), "0.005");
  EXPECT_EQ(value(1), "1");
  EXPECT_EQ(value(120), "120");
  EXPECT_EQ(value(2.5), "2.5");
  EXPECT_EQ(value(0), "0");
  EXPECT_EQ(value(-1.5), "-1.5");
  EXPECT_EQ(value(0.0001), "0.0001");
  EXPECT_EQ(value(0.00005), "5e-05");
  EXPECT_EQ(value(100000), "100000");
  EXPECT_EQ(value(1e6), "1e+06");
  EXPECT_EQ(value(1234567), "1.234567e+06");
  EXPECT_EQ(value(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(value(1e300), "1e+300");
  EXPECT_EQ(value(std::numeric_limits<double>::denorm_min()), "5e-324");
}

TEST(append_value, writes_nan_and_infinities_by_name) {
  EXPECT_EQ(value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(append_value, writes_integers_in_full) {
  std::string out;
  append_value(out, std::uint64_t{18446744073709551615u});
  EXPECT_EQ(out, "18446744073709551615");
}

TEST(append_escaped_help, escapes_backslash_and_newline_only) {
  std::string out;
  append_escaped_help(out, "a \\ b\nc \"q\" \t\xff");
  EXPECT_EQ(out, "a \\\\ b\\nc \"q\" \t\xff");
}

TEST(append_escaped_label_value, escapes_backslash_quote_and_newline_only) {
  std::string out;
  // Arbitrary bytes (control characters, invalid UTF-8, NUL) pass through unchanged.
  append_escaped_label_value(out, "\\\"\n\r\t\x01\xc3\x28 ok\0z"sv);
  EXPECT_EQ(out, "\\\\\\\"\\n\r\t\x01\xc3\x28 ok\0z"sv);
}

TEST(is_valid_metric_name, takes_letters_digits_underscores_and_colons) {
  EXPECT_TRUE(is_valid_metric_name("llmd_requests_total"));
  EXPECT_TRUE(is_valid_metric_name(":job:rate5m"));
  EXPECT_TRUE(is_valid_metric_name("_x9"));
  EXPECT_TRUE(is_valid_metric_name("__internal"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_FALSE(is_valid_metric_name("9lives"));
  EXPECT_FALSE(is_valid_metric_name("a-b"));
  EXPECT_FALSE(is_valid_metric_name("a b"));
  EXPECT_FALSE(is_valid_metric_name("é"));
}

TEST(is_valid_label_name, takes_letters_digits_and_underscores_not_starting_with_two_underscores) {
  EXPECT_TRUE(is_valid_label_name("model"));
  EXPECT_TRUE(is_valid_label_name("_group2"));
  EXPECT_TRUE(is_valid_label_name("le"));  // reserved by histograms only
  EXPECT_FALSE(is_valid_label_name(""));
  EXPECT_FALSE(is_valid_label_name("__name__"));
  EXPECT_FALSE(is_valid_label_name("a:b"));
  EXPECT_FALSE(is_valid_label_name("2xx"));
  EXPECT_FALSE(is_valid_label_name("a.b"));
}

}  // namespace
}  // namespace llmd::metrics
