#include "tls_files.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <system_error>

#include "detail.hpp"

namespace llmd::config::detail {

namespace {

struct bio_free {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

// Refuses to prompt on the terminal for an encrypted key's passphrase.
int no_passphrase(char*, int, int, void*) { return 0; }

// A PEM file's text, or why it cannot be read.
struct pem_text {
  std::string text;
  std::optional<std::string> problem;
};

pem_text read_pem(const std::string& path) {
  auto file = read_file(path);
  if (file.error != 0) {
    return {.text = {}, .problem = "cannot read " + path + ": " + std::generic_category().message(file.error)};
  }
  return {.text = std::move(file.text), .problem = std::nullopt};
}

// Leaves OpenSSL's error queue empty, so no failure here is mistaken later for a handshake's.
template <typename T>
T cleared(T value) {
  ERR_clear_error();
  return value;
}

x509_ptr first_certificate(const std::string& pem) {
  const std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // _AUX also reads a TRUSTED CERTIFICATE block, as a CA file may hold.
  return cleared(x509_ptr(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr)));
}

pkey_ptr private_key(const std::string& pem) {
  const std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return cleared(pkey_ptr(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)));
}

}  // namespace

std::optional<std::string> certificate_file_problem(const std::string& path) {
  auto pem = read_pem(path);
  if (pem.problem) return pem.problem;
  if (!first_certificate(pem.text)) return path + " holds no PEM certificate";
  return std::nullopt;
}

std::optional<std::string> key_file_problem(const std::string& path) {
  auto pem = read_pem(path);
  if (pem.problem) return pem.problem;
  if (!private_key(pem.text)) return path + " holds no unencrypted PEM private key";
  return std::nullopt;
}

key_pair check_key_pair(const std::string& cert_path, const std::string& key_path) {
  const auto cert_pem = read_pem(cert_path);
  const auto key_pem = read_pem(key_path);
  if (cert_pem.problem || key_pem.problem) return key_pair::unusable;
  const auto cert = first_certificate(cert_pem.text);
  const auto key = private_key(key_pem.text);
  if (!cert || !key) return key_pair::unusable;
  return cleared(X509_check_private_key(cert.get(), key.get()) == 1 ? key_pair::matches : key_pair::mismatched);
}

}  // namespace llmd::config::detail
