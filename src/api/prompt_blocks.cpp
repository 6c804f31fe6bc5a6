#include "llmd/api/prompt_blocks.hpp"

#include <algorithm>
#include <cstring>

namespace llmd::api {

namespace {

// Separates pieces: a byte that raw JSON text never holds.
constexpr char separator = '\x1e';

constexpr std::uint64_t k0 = 0xa0761d6478bd642full;
constexpr std::uint64_t k1 = 0xe7037ed1a0b428dbull;
constexpr std::uint64_t k2 = 0x8ebc6af09c88c6e3ull;

// The two halves of a 128-bit product folded together: a strong, cheap mix (as in wyhash).
std::uint64_t fold(std::uint64_t a, std::uint64_t b) {
  const auto product = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

std::uint64_t word(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

std::uint64_t start(std::uint64_t before) { return before ^ k0; }
std::uint64_t take16(std::uint64_t h, const char* p) { return fold(word(p) ^ k1 ^ h, word(p + 8) ^ k2); }
// The last word (fewer than 16 bytes, zero-padded: perhaps none) and the block's size.
std::uint64_t finish(std::uint64_t h, const char* tail, std::size_t tail_size, std::size_t block_size) {
  char last[16] = {};
  std::memcpy(last, tail, tail_size);
  return fold(take16(h, last) ^ block_size, k1 ^ k0);
}

}  // namespace

std::uint64_t block_hash(std::string_view block, std::uint64_t before) {
  std::uint64_t h = start(before);
  const char* p = block.data();
  std::size_t left = block.size();
  for (; left >= 16; p += 16, left -= 16) h = take16(h, p);
  return finish(h, p, left, block.size());
}

prompt_blocks::prompt_blocks(std::size_t block_size) : block_size_(block_size), state_(start(0)) {}

void prompt_blocks::piece(std::string_view raw) {
  add(raw);
  add(std::string_view(&separator, 1));
}

void prompt_blocks::add(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::size_t take = std::min(block_size_ - in_block_, bytes.size());
    take_words(bytes.substr(0, take));
    in_block_ += take;
    bytes.remove_prefix(take);
    if (in_block_ == block_size_) end_block();
  }
}

void prompt_blocks::take_words(std::string_view bytes) {
  if (tail_size_ > 0) {
    const std::size_t fill = std::min(16 - tail_size_, bytes.size());
    std::memcpy(tail_ + tail_size_, bytes.data(), fill);
    tail_size_ += fill;
    bytes.remove_prefix(fill);
    if (tail_size_ < 16) return;
    state_ = take16(state_, tail_);
    tail_size_ = 0;
  }
  for (; bytes.size() >= 16; bytes.remove_prefix(16)) state_ = take16(state_, bytes.data());
  std::memcpy(tail_, bytes.data(), bytes.size());
  tail_size_ = bytes.size();
}

void prompt_blocks::end_block() {
  hashes_.push_back(finish(state_, tail_, tail_size_, block_size_));
  state_ = start(hashes_.back());
  in_block_ = 0;
  tail_size_ = 0;
}

}  // namespace llmd::api
