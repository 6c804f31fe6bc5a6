// What a client reads back from llm-d, read as HTTP/1.1 with Beast's response parser: one
// message after another, each framed by Content-Length, chunked encoding or (the last only) the
// end of the connection. Any byte that does not make a whole, well-formed response fails the
// fuzz run (see oracle.hpp).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string_view>
#include <vector>

namespace llmd::fuzz {

using response = boost::beast::http::response<boost::beast::http::string_body>;

// The response at the start of `bytes`, whole (`used` is set to its size), or nullopt when
// `bytes` end before it does. `head_only`: it answers a HEAD request.
std::optional<response> read_response(std::string_view bytes, bool head_only, std::size_t& used);

// `bytes`: all the client read until the connection ended. `head_only[i]`: whether the i-th final
// (non-1xx) response answers a HEAD request, whose header announces a body that does not follow.
// Interim (1xx) responses are checked and left out of the result.
std::vector<response> read_responses(std::string_view bytes, const std::vector<bool>& head_only);

}  // namespace llmd::fuzz
