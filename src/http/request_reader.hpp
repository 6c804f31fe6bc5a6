// Reading a request off a client connection under the limits that hold against slow or hostile
// clients: the head must come whole within client_header_timeout of its first byte however it
// trickles, and the body may fall silent no longer than client_body_timeout between pieces.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>

#include "llmd/config/config.hpp"
#include "llmd/http/request.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"

namespace llmd::http {

// Waits up to client_idle_timeout for the head's first byte (which may be in `buffer` already),
// then reads the head into `parser`. A line folded onto the one before it (obs-fold, which Beast
// would unfold) is refused as bad_value: a proxy must not pass on a field a backend may read
// otherwise (RFC 9112 §5.2).
awaitable<boost::system::error_code> read_head(llmd::net::timed_socket& stream, boost::beast::flat_buffer& buffer,
                                               request_parser& parser, const config::limits& limits);

// Reads the rest of the body into `parser`.
awaitable<boost::system::error_code> read_body(llmd::net::timed_socket& stream, boost::beast::flat_buffer& buffer,
                                               request_parser& parser, const config::limits& limits);

}  // namespace llmd::http
