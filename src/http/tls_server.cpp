#include "llmd/http/tls_server.hpp"

#include <openssl/ssl.h>

namespace llmd::http {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_server_context(const config::listen_tls_settings& settings, std::string& error) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  // Clients that reconnect resume their session (TLS 1.2 session ids; TLS 1.3 tickets need none).
  static constexpr unsigned char session_context[] = "llm-d";
  SSL_CTX_set_session_id_context(context->native_handle(), session_context, sizeof(session_context) - 1);
  boost::system::error_code ec;
  context->use_certificate_chain_file(settings.cert_file, ec);
  if (ec) {
    error = "listen_tls.cert: cannot load " + settings.cert_file + ": " + ec.message();
    return nullptr;
  }
  context->use_private_key_file(settings.key_file, ssl::context::pem, ec);
  if (ec) {
    error = "listen_tls.key: cannot load " + settings.key_file + ": " + ec.message();
    return nullptr;
  }
  return context;
}

}  // namespace llmd::http
