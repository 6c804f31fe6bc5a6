// A tunnel to the upstream server through an HTTP proxy (CONNECT, RFC 9110 9.3.6), used for
// http:// and https:// entries alike: the connection is then the server's, for keep-alive and
// TLS as if direct.
#pragma once

#include <string>

#include "llmd/config/config.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/upstream/connection_pool.hpp"

namespace llmd::upstream {

// On a connection to the proxy, under its deadline: "" once the tunnel is open, else why not.
awaitable<std::string> open_tunnel(connection& conn, const config::upstream_url& url,
                                   const config::proxy_settings& proxy);

}  // namespace llmd::upstream
