#include "pem_files.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

namespace llmd::config::testing {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

// P-256: instant to generate, unlike RSA.
pkey_ptr new_key() {
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

x509_ptr self_signed(EVP_PKEY* key) {
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 60 * 60);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("llmd-test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
  return cert;
}

template <typename Write>
void write_pem(const std::string& path, Write write) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file || write(file.get()) != 1) throw std::runtime_error("cannot write " + path);
}

void write_key(const std::string& path, EVP_PKEY* key) {
  write_pem(path, [&](std::FILE* f) { return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

}  // namespace

pem_files::pem_files()
    : dir_(::testing::TempDir() + "llmd_pem_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name()) {
  std::filesystem::create_directories(dir_);
  cert_ = dir_ + "/cert.pem";
  key_ = dir_ + "/key.pem";
  other_key_ = dir_ + "/other-key.pem";
  not_pem_ = dir_ + "/not.pem";
  missing_ = dir_ + "/missing.pem";
  const auto key = new_key();
  const auto cert = self_signed(key.get());
  write_pem(cert_, [&](std::FILE* f) { return PEM_write_X509(f, cert.get()); });
  write_key(key_, key.get());
  write_key(other_key_, new_key().get());
  std::ofstream(not_pem_) << "just text\n";
}

pem_files::~pem_files() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace llmd::config::testing
