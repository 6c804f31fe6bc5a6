// Where a fuzz input is cut into the pieces a reader gets from a socket: a seed byte (most
// targets take their input's first) picks the largest piece and the sizes, so that the fuzzer
// varies the cuts apart from the bytes.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace llmd::fuzz {

// `bytes` in pieces of 1 byte or more, in order.
std::vector<std::string_view> split(std::string_view bytes, std::uint8_t seed);

}  // namespace llmd::fuzz
