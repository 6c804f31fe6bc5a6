#include "upstream_reads.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace llmd::fuzz {

namespace bhttp = boost::beast::http;

boost::beast::error_code upstream_reads::parse(bool& more) {
  boost::beast::error_code ec;
  more = false;
  if (buffered() > 0) {
    parsed_ += parser_.put(boost::asio::buffer(read_.data() + parsed_, buffered()), ec);
    if (ec != bhttp::error::need_more) return ec;
    ec = {};
  }
  if (next_read_ < reads_.size()) {
    read_.append(reads_[next_read_++]);
    more = true;
  } else if (parser_.got_some()) {
    parser_.put_eof(ec);  // the upstream closed the connection
  } else {
    ec = bhttp::error::end_of_stream;  // before a byte of an answer
  }
  return ec;
}

bool upstream_reads::header() {
  while (!parser_.is_header_done()) {
    bool more = false;
    if (parse(more) || (!more && !parser_.is_header_done())) return false;
  }
  return true;
}

std::string_view upstream_reads::next_piece(bool& broken) {
  for (;;) {
    bool more = false;
    const auto ec = parse(more);
    broken = static_cast<bool>(ec);
    if (!more) return parser_.take_piece();
  }
}

}  // namespace llmd::fuzz
