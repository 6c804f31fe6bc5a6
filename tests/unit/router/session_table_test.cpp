#include "llmd/router/session_table.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace llmd::router {
namespace {

const time_point t0 = clock::now();

TEST(session_table, a_session_sticks_to_its_latest_replica) {
  session_table table(1000, 30min);
  EXPECT_EQ(table.replica_of(7, t0), std::nullopt);
  table.stick(7, 100, t0);
  EXPECT_EQ(table.replica_of(7, t0 + 1s), 100u);
  table.stick(7, 200, t0 + 2s);
  EXPECT_EQ(table.replica_of(7, t0 + 3s), 200u);
  EXPECT_EQ(table.size(), 1u);
}

TEST(session_table, an_idle_session_is_forgotten) {
  session_table table(1000, 30min);
  table.stick(7, 100, t0);
  EXPECT_EQ(table.replica_of(7, t0 + 30min), 100u);
  EXPECT_EQ(table.replica_of(7, t0 + 31min), std::nullopt);
  // Idle ones make room as others come.
  table.stick(23, 100, t0 + 31min);  // the same shard
  EXPECT_EQ(table.size(), 1u);
}

TEST(session_table, random_ids_cannot_grow_it_past_its_bound) {
  session_table table(1600, 30min);
  for (std::uint64_t s = 1; s <= 100000; ++s) table.stick(s, 1, t0 + std::chrono::milliseconds(s));
  EXPECT_LE(table.size(), table.max_entries());
  EXPECT_EQ(table.replica_of(100000, t0 + 101s), 1u);  // the newest stay
  EXPECT_EQ(table.replica_of(1, t0 + 101s), std::nullopt);
}

}  // namespace
}  // namespace llmd::router
