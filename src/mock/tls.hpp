// The mock's TLS: the server context made from --tls-cert, --tls-key and --tls-client-ca, and
// what a finished handshake agreed, for /mock/stats and /mock/requests.
#pragma once

#include "options.hpp"
#include "stats.hpp"

#include <boost/asio/ssl/context.hpp>

#include <optional>

namespace llmd::mock {

// nullopt when the files name no certificate. Throws std::runtime_error naming the file that
// cannot be used (unreadable, not PEM, or a key that does not match the certificate).
std::optional<boost::asio::ssl::context> make_server_tls(const tls_files& files);

tls_info describe_tls(const SSL* ssl);

}  // namespace llmd::mock
