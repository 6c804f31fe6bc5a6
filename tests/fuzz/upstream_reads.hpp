// An upstream's answer fed to llm-d's response parser (upstream/response_parser.hpp) the way the
// relay reads a connection: read by read, in the pieces given, until the parser has what it asks
// for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "llmd/upstream/response_parser.hpp"

namespace llmd::fuzz {

class upstream_reads {
 public:
  upstream_reads(upstream::response_parser& parser, std::vector<std::string_view> reads)
      : parser_(parser), reads_(std::move(reads)) {}

  // Reads until the header is whole; false when the upstream ends or breaks first.
  bool header();
  // Parses on to the next body piece (empty when what was parsed held none, as a chunk header);
  // `broken` when the upstream ended before its body did, or sent what is not HTTP. The piece is
  // valid until the next call.
  std::string_view next_piece(bool& broken);
  // Bytes read but not parsed yet.
  std::size_t buffered() const { return read_.size() - parsed_; }

 private:
  // Parses what is buffered; `more` when the parser needs another read.
  boost::beast::error_code parse(bool& more);

  upstream::response_parser& parser_;
  std::vector<std::string_view> reads_;
  std::size_t next_read_ = 0;
  std::string read_;
  std::size_t parsed_ = 0;
};

}  // namespace llmd::fuzz
