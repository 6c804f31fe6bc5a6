// The front door's TLS: a server context from `listen_tls`.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "llmd/config/config.hpp"

namespace llmd::http {

// TLS 1.2 or later with the configured chain and key; null and `error` set when they do not load.
std::unique_ptr<boost::asio::ssl::context> make_server_context(const config::listen_tls_settings& settings,
                                                               std::string& error);

}  // namespace llmd::http
