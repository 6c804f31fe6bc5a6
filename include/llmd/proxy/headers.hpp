// Which headers cross the proxy: hop-by-hop headers (RFC 9110 7.6.1) and those llm-d sets
// itself never pass; a client's Authorization never reaches an entry with its own api_key.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <string>
#include <string_view>

#include "llmd/config/config.hpp"

namespace llmd::proxy {

// Adds to `out` the client's headers that go upstream, then Host, the entry's own headers and
// its api_key as Authorization.
void copy_request_headers(const boost::beast::http::fields& in, const config::model_entry& entry,
                          boost::beast::http::fields& out);

// Adds to `out` the upstream's response headers that go to the client (framing excluded: the
// relay sets Content-Length or chunked itself).
void copy_response_headers(const boost::beast::http::fields& in, boost::beast::http::fields& out);

// The response header as it goes on the wire, status line to the empty line, so that it can
// leave in one write with the first piece of the body.
std::string response_head(const boost::beast::http::response_header<>& head);

}  // namespace llmd::proxy
