#include "splits.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace llmd::fuzz {

std::vector<std::string_view> split(std::string_view bytes, std::uint8_t seed) {
  static constexpr std::array<std::size_t, 8> largest = {1, 2, 3, 7, 16, 64, 512, 1 << 20};
  const std::size_t most = largest[seed & 7];
  std::uint64_t state = seed >> 3;
  std::vector<std::string_view> pieces;
  while (!bytes.empty()) {
    state = state * 6364136223846793005u + 1442695040888963407u;  // Knuth's MMIX LCG
    const std::size_t size = std::min(bytes.size(), 1 + static_cast<std::size_t>(state >> 33) % most);
    pieces.push_back(bytes.substr(0, size));
    bytes.remove_prefix(size);
  }
  return pieces;
}

}  // namespace llmd::fuzz
