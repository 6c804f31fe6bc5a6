// The prompt cut into fixed blocks, each hashed together with the hash of the blocks before it,
// as a prefix cache keys them: two prompts share their first n block hashes exactly when they
// share their first n blocks. Fed by scan_request's prompt pieces, each piece followed by a
// separator byte so that pieces cannot run into each other; a last partial block is left out.
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "llmd/api/request_fields.hpp"

namespace llmd::api {

class prompt_blocks final : public prompt_sink {
 public:
  explicit prompt_blocks(std::size_t block_size);

  void piece(std::string_view raw) override;
  std::span<const std::uint64_t> hashes() const { return hashes_; }

 private:
  void add(std::string_view bytes);
  void take_words(std::string_view bytes);
  void end_block();

  std::size_t block_size_;
  // The block being read, hashed 16 bytes at a time as they come: nothing is copied but a word
  // split between pieces.
  std::uint64_t state_;
  std::size_t in_block_ = 0;
  char tail_[16];
  std::size_t tail_size_ = 0;
  // In place up to 64 blocks (16 KB at the default block size): no allocation for most prompts.
  boost::container::small_vector<std::uint64_t, 64> hashes_;
};

// A block's hash, chained to the hash of the blocks before it (0 for the first).
std::uint64_t block_hash(std::string_view block, std::uint64_t before);

}  // namespace llmd::api
