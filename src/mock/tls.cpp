#include "tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <string_view>

namespace llmd::mock {

namespace ssl = boost::asio::ssl;

namespace {

// Sessions are resumable only on a context with an id (OpenSSL refuses to resume one without,
// when client certificates are verified).
constexpr std::string_view session_id_context = "llm-d-mock";

void check(const boost::system::error_code& ec, std::string_view flag, const std::string& file) {
  if (ec) throw std::runtime_error("cannot use " + std::string(flag) + " " + file + ": " + ec.message());
}

// Any name is accepted (the mock has one certificate). Accepting it also keeps it in a TLS 1.2
// session, where SSL_get_servername finds it after a resumption.
int accept_server_name(SSL*, int*, void*) { return SSL_TLSEXT_ERR_OK; }

std::string common_name(const X509* cert) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return {};
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (n < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

std::optional<ssl::context> make_server_tls(const tls_files& files) {
  if (!files.enabled()) return std::nullopt;
  ssl::context tls(ssl::context::tls_server);
  SSL_CTX* native = tls.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // Most HTTP clients close without a close_notify. That is an end of stream, not an error that
  // would also drop the client's session from the cache.
  SSL_CTX_set_options(native, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_session_id_context(native, reinterpret_cast<const unsigned char*>(session_id_context.data()),
                                 static_cast<unsigned>(session_id_context.size()));
  SSL_CTX_set_tlsext_servername_callback(native, accept_server_name);
  boost::system::error_code ec;
  tls.use_certificate_chain_file(files.cert_file, ec);
  check(ec, "--tls-cert", files.cert_file);
  tls.use_private_key_file(files.key_file, ssl::context::pem, ec);
  check(ec, "--tls-key", files.key_file);
  if (SSL_CTX_check_private_key(native) != 1)
    throw std::runtime_error("--tls-key " + files.key_file + " does not match the certificate of --tls-cert " +
                             files.cert_file);
  if (!files.client_ca_file.empty()) {
    tls.load_verify_file(files.client_ca_file, ec);
    check(ec, "--tls-client-ca", files.client_ca_file);
    // Named in the CertificateRequest, so a client with several certificates picks the right one.
    SSL_CTX_set_client_CA_list(native, SSL_load_client_CA_file(files.client_ca_file.c_str()));
    tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return tls;
}

tls_info describe_tls(const SSL* ssl) {
  tls_info out;
  if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) out.sni = sni;
  out.resumed = SSL_session_reused(ssl) == 1;
  out.version = SSL_get_version(ssl);
  if (const X509* peer = SSL_get0_peer_certificate(ssl)) out.client_cn = common_name(peer);
  return out;
}

}  // namespace llmd::mock
