#include "llmd/router/filter.hpp"

#include <array>

namespace llmd::router {

std::span<const filter* const> filters() {
  static const std::array<const filter*, 2> all = {&health_filter(), &capacity_filter()};
  return all;
}

}  // namespace llmd::router
