// Which headers cross the proxy: hop-by-hop headers (RFC 9110 7.6.1) and those llm-d sets
// itself never pass; a client's Authorization never reaches an entry with its own api_key.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <string>
#include <string_view>

#include "llmd/config/config.hpp"

namespace llmd::proxy {

// The upstream request's header as it goes on the wire: the request line with `target`, the
// client's headers that go upstream, then Host, the entry's own headers and its api_key as
// Authorization, x-request-id and Content-Length (the entry's headers and x-request-id replace
// the client's of the same name).
std::string request_head(const boost::beast::http::request_header<>& in, std::string_view target,
                         const config::model_entry& entry, std::string_view request_id, std::size_t content_length);

// Adds to `out` the upstream's response headers that go to the client (framing excluded: the
// relay sets Content-Length or chunked itself).
void copy_response_headers(const boost::beast::http::fields& in, boost::beast::http::fields& out);

// The response header as it goes on the wire, status line to the empty line, so that it can
// leave in one write with the first piece of the body.
std::string response_head(const boost::beast::http::response_header<>& head);

}  // namespace llmd::proxy
