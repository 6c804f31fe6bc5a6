#include "llmd/upstream/outcome.hpp"

#include <gtest/gtest.h>

namespace llmd::upstream {
namespace {

TEST(classify_status, passes_on_final_statuses_that_are_not_failures) {
  EXPECT_EQ(classify_status(200), outcome::ok);
  EXPECT_EQ(classify_status(304), outcome::ok);
  EXPECT_EQ(classify_status(404), outcome::ok);
  EXPECT_EQ(classify_status(429), outcome::status_429);
  EXPECT_EQ(classify_status(503), outcome::status_5xx);
}

// Beast reads "HTTP/1.1 087" as status 87, which llm-d passed on as "HTTP/1.1 87", no HTTP at all
// (found by tests/fuzz/relay_fuzz.cpp).
TEST(classify_status, a_status_below_200_is_a_malformed_answer) {
  EXPECT_EQ(classify_status(0), outcome::malformed);
  EXPECT_EQ(classify_status(87), outcome::malformed);
  EXPECT_EQ(classify_status(101), outcome::malformed);
  EXPECT_EQ(classify_status(199), outcome::malformed);
}

TEST(is_interim, holds_for_1xx_but_switching_protocols) {
  EXPECT_TRUE(is_interim(100));
  EXPECT_TRUE(is_interim(103));
  EXPECT_FALSE(is_interim(101));
  EXPECT_FALSE(is_interim(87));
  EXPECT_FALSE(is_interim(200));
}

}  // namespace
}  // namespace llmd::upstream
