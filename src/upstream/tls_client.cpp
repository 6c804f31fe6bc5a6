#include "tls_client.hpp"

#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

namespace llmd::upstream {

namespace ssl = boost::asio::ssl;

namespace {

// Each SSL of ours points at the tls_session of its pool, for on_new_session.
int session_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* keeper = static_cast<tls_session*>(SSL_get_ex_data(ssl, session_index()));
  if (!keeper) return 0;
  keeper->keep(session, SSL_get_SSL_CTX(ssl));
  return 1;  // ours now
}

bool is_ip(const std::string& name) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  return !ec;
}

}  // namespace

std::unique_ptr<ssl::context> make_client_context(const config::tls_settings& settings, std::string& error) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  boost::system::error_code ec;
  if (settings.ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(settings.ca_file, ec);
  }
  if (ec) {
    error = "cannot load the CA certificates" + (settings.ca_file.empty() ? "" : " of " + settings.ca_file) + ": " +
            ec.message();
    return nullptr;
  }
  if (!settings.cert_file.empty()) {
    context->use_certificate_chain_file(settings.cert_file, ec);
    if (!ec) context->use_private_key_file(settings.key_file, ssl::context::pem, ec);
    if (ec) {
      error = "cannot load the client certificate " + settings.cert_file + ": " + ec.message();
      return nullptr;
    }
  }
  context->set_verify_mode(settings.insecure_skip_verify ? ssl::verify_none : ssl::verify_peer);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(native, on_new_session);
  return context;
}

tls_session::~tls_session() {
  if (session_) SSL_SESSION_free(session_);
  if (context_) SSL_CTX_free(context_);
}

void tls_session::keep(SSL_SESSION* session, SSL_CTX* context) {
  if (session_) SSL_SESSION_free(session_);
  session_ = session;
  if (context != context_) {
    SSL_CTX_up_ref(context);
    if (context_) SSL_CTX_free(context_);
    context_ = context;
  }
}

void prepare_connection(SSL* ssl, const std::string& server_name, bool verify, tls_session& session) {
  const bool ip = is_ip(server_name);
  // RFC 6066: SNI carries DNS names only.
  if (!ip) SSL_set_tlsext_host_name(ssl, server_name.c_str());
  if (verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, server_name.c_str(), server_name.size());
    }
  }
  if (auto* resumed = session.for_context(SSL_get_SSL_CTX(ssl))) SSL_set_session(ssl, resumed);
  SSL_set_ex_data(ssl, session_index(), &session);
}

std::string handshake_failure(SSL* ssl, const boost::system::error_code& ec) {
  const long verified = SSL_get_verify_result(ssl);
  if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) && verified != X509_V_OK) return std::string("certificate refused: ") + X509_verify_cert_error_string(verified);
  return ec.message();
}

}  // namespace llmd::upstream
