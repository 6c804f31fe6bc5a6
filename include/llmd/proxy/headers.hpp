// Which headers cross the proxy: hop-by-hop headers (RFC 9110 7.6.1) and those llm-d sets
// itself never pass; a client's Authorization never reaches an entry with a credential of its own
// (api_key, or an Authorization, api-key or x-api-key header), nor any entry when it held the
// client's llm-d key.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llmd/config/config.hpp"
#include "llmd/http/field_list.hpp"
#include "llmd/http/request.hpp"

namespace llmd::proxy {

// The upstream request's header as it goes on the wire: the request line (the entry's root in
// place of the client's /v1, the entry's query then the client's), the client's headers that go
// upstream, then Host, the entry's own headers and its api_key as Authorization, x-request-id and
// Content-Length (the entry's headers and x-request-id replace the client's of the same name).
// `client_key`: the client's Authorization held its llm-d key, which stays here.
std::string request_head(const http::request& in, const config::model_entry& entry, std::string_view request_id,
                         std::size_t content_length, bool client_key = false);

// Adds to `out` the upstream's response headers that go to the client (framing excluded: the
// relay sets Content-Length or chunked itself).
void copy_response_headers(const http::field_list& in, boost::beast::http::fields& out);

// What the relay puts into the header of an upstream's answer on its way to the client.
struct relay_fields {
  unsigned version = 11;  // the client's HTTP version
  std::string_view request_id;
  std::string_view backend;
  int attempts = 1;
  std::optional<std::uint64_t> content_length;  // else chunked, or (chunked false) until close
  bool chunked = false;
  bool keep_alive = true;
  std::string_view cors_origin{};  // an origin cors allows: named in Access-Control-Allow-Origin
};

// The upstream's response header as it goes to the client, status line to the empty line: its
// headers that pass (but its Access-Control-*), x-request-id, x-llmd-backend, x-llmd-attempts
// (replacing the upstream's own), Access-Control-Allow-Origin for an allowed origin, the framing
// and Connection.
std::string relayed_head(unsigned status, std::string_view reason, const http::field_list& upstream,
                         const relay_fields& add);

}  // namespace llmd::proxy
