// Test certificates, made at first use (once per test process) by the openssl command line in a
// temporary directory that goes away at exit: no key or certificate is ever committed. All keys
// are EC P-256; every server certificate is for "localhost", 127.0.0.1 and ::1 unless said.
#pragma once

#include <string>

#include "fixtures.hpp"
#include "process.hpp"

namespace llmd::test {

class test_pki {
 public:
  // Throws std::runtime_error, failing the test, when openssl is missing or fails.
  static const test_pki& get();

  std::string ca_cert;
  std::string server_cert, server_key;
  std::string other_host_cert, other_host_key;  // DNS:other.example only
  std::string untrusted_ca_cert;                // a CA no test client trusts unless told
  std::string untrusted_cert, untrusted_key;    // signed by untrusted_ca_cert
  std::string expired_cert, expired_key;        // signed by ca_cert, expired in 2020
  std::string client_ca_cert;
  std::string client_cert, client_key;  // CN=llm-d-test-client, signed by client_ca_cert
  std::string unmatched_key;            // matches no certificate

  // A mock serving `cert` and `key`. The harness's own calls to it trust ca_cert, expect
  // "localhost" and present client_cert, so they pass --tls-client-ca client_ca_cert too.
  mock_tls serving(const std::string& cert, const std::string& key) const;
  mock_tls serving_localhost() const { return serving(server_cert, server_key); }

 private:
  test_pki();
  temp_dir dir_;
};

}  // namespace llmd::test
