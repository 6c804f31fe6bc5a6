// The client side of TLS to upstream servers: contexts made from an entry's tls settings, each
// connection's name to verify and send as SNI, and the session kept per pool for resumption.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "llmd/config/config.hpp"

namespace llmd::upstream {

// Null and `error` set when a file does not load.
std::unique_ptr<boost::asio::ssl::context> make_client_context(const config::tls_settings& settings,
                                                               std::string& error);

// The newest session a server of one pool handed out (TLS 1.3 hands them out after the
// handshake, so they are caught as they arrive), offered to it when a connection is reopened
// with the same context. A reload makes new contexts: their connections start new sessions.
class tls_session {
 public:
  tls_session() = default;
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;
  ~tls_session();

  // Takes ownership of `session`, made by a connection of `context` (which it holds on to, so
  // that no later context can take its address).
  void keep(SSL_SESSION* session, SSL_CTX* context);
  // The session to offer a connection of `context`; null for none.
  SSL_SESSION* for_context(const SSL_CTX* context) const noexcept {
    return context == context_ ? session_ : nullptr;
  }

 private:
  SSL_SESSION* session_ = nullptr;
  SSL_CTX* context_ = nullptr;
};

// Sets up a connection's TLS before its handshake: SNI, the name its certificate must carry
// (unless verification is off), the session to resume, and where the next session goes.
void prepare_connection(SSL* ssl, const std::string& server_name, bool verify, tls_session& session);

// Why a handshake failed: the verification error when the certificate was refused, else `ec`'s.
std::string handshake_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace llmd::upstream
