#include "certs.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace llmd::test {

namespace {

// One file for every openssl command: req's and ca's settings and each certificate's extensions.
// DIR is the directory of openssl ca's database.
constexpr std::string_view config_template = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = unused

[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[localhost_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[other_host_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

# openssl ca, for the one certificate whose dates x509 cannot set (OpenSSL 3.0 has no
# x509 -not_before).
[ca]
default_ca = test_ca
[test_ca]
database = DIR/index.txt
new_certs_dir = DIR
serial = DIR/serial
default_md = sha256
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
)";

std::string find_openssl() {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto candidate = std::string(dirs.substr(0, colon)) + "/openssl";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
  }
  throw std::runtime_error(
      "the TLS tests make their certificates with the openssl command line, and there is none on PATH "
      "(apt-get install openssl, or scripts/setup.sh)");
}

class openssl_cli {
 public:
  explicit openssl_cli(const temp_dir& dir) : binary_(find_openssl()), dir_(dir) {
    std::string config(config_template);
    for (auto at = config.find("DIR"); at != std::string::npos; at = config.find("DIR", at + dir.path().size()))
      config.replace(at, 3, dir.path());
    config_ = dir.write("openssl.cnf", config);
    dir.write("index.txt", "");
    dir.write("serial", "1000\n");
  }

  // Returns the path of the new key.
  std::string key(const std::string& name) {
    const auto path = dir_.path() + "/" + name + ".key";
    run_openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path});
    return path;
  }

  std::string self_signed_ca(const std::string& name, const std::string& key) {
    const auto path = dir_.path() + "/" + name + ".pem";
    run_openssl({"req", "-x509", "-new", "-config", config_, "-key", key, "-subj", "/CN=" + name, "-days", "30",
                 "-sha256", "-extensions", "ca_ext", "-out", path});
    return path;
  }

  // A certificate for `key` signed by the CA, with the extensions of `section` of the config.
  std::string sign(const std::string& name, const std::string& key, const std::string& cn, const std::string& section,
                   const std::string& ca_cert, const std::string& ca_key) {
    const auto path = dir_.path() + "/" + name + ".pem";
    run_openssl({"x509", "-req", "-in", request(name, key, cn), "-CA", ca_cert, "-CAkey", ca_key, "-set_serial",
                 std::to_string(++serial_), "-days", "30", "-sha256", "-extfile", config_, "-extensions", section,
                 "-out", path});
    return path;
  }

  // The same, valid for a month of 2020 only.
  std::string sign_expired(const std::string& name, const std::string& key, const std::string& cn,
                           const std::string& section, const std::string& ca_cert, const std::string& ca_key) {
    const auto path = dir_.path() + "/" + name + ".pem";
    run_openssl({"ca", "-batch", "-notext", "-config", config_, "-in", request(name, key, cn), "-cert", ca_cert,
                 "-keyfile", ca_key, "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-extensions",
                 section, "-out", path});
    return path;
  }

 private:
  std::string request(const std::string& name, const std::string& key, const std::string& cn) {
    const auto path = dir_.path() + "/" + name + ".csr";
    run_openssl({"req", "-new", "-config", config_, "-key", key, "-subj", "/CN=" + cn, "-out", path});
    return path;
  }

  void run_openssl(const std::vector<std::string>& args) {
    const auto result = run(binary_, args);
    if (result.exit_code == 0) return;
    std::string command = binary_;
    for (const auto& a : args) command += " " + a;
    throw std::runtime_error(command + " failed with exit status " + std::to_string(result.exit_code) + ":\n" +
                             result.output);
  }

  std::string binary_;
  const temp_dir& dir_;
  std::string config_;
  int serial_ = 0;
};

}  // namespace

const test_pki& test_pki::get() {
  static const test_pki made;
  return made;
}

test_pki::test_pki() {
  openssl_cli openssl(dir_);
  const auto ca_key = openssl.key("ca");
  ca_cert = openssl.self_signed_ca("llm-d-test-ca", ca_key);
  server_key = openssl.key("server");
  server_cert = openssl.sign("server", server_key, "localhost", "localhost_ext", ca_cert, ca_key);
  other_host_key = openssl.key("other-host");
  other_host_cert = openssl.sign("other-host", other_host_key, "other.example", "other_host_ext", ca_cert, ca_key);
  expired_key = openssl.key("expired");
  expired_cert = openssl.sign_expired("expired", expired_key, "localhost", "localhost_ext", ca_cert, ca_key);

  const auto untrusted_ca_key = openssl.key("untrusted-ca");
  untrusted_ca_cert = openssl.self_signed_ca("llm-d-untrusted-ca", untrusted_ca_key);
  untrusted_key = openssl.key("untrusted");
  untrusted_cert = openssl.sign("untrusted", untrusted_key, "localhost", "localhost_ext", untrusted_ca_cert,
                                untrusted_ca_key);

  const auto client_ca_key = openssl.key("client-ca");
  client_ca_cert = openssl.self_signed_ca("llm-d-test-client-ca", client_ca_key);
  client_key = openssl.key("client");
  client_cert = openssl.sign("client", client_key, "llm-d-test-client", "client_ext", client_ca_cert, client_ca_key);

  unmatched_key = openssl.key("unmatched");
}

mock_tls test_pki::serving(const std::string& cert, const std::string& key) const {
  return {cert, key, {.ca_file = ca_cert, .cert_file = client_cert, .key_file = client_key}};
}

}  // namespace llmd::test
