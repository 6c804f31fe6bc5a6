// The llm-d-mock command line.
#pragma once

#include "behavior.hpp"
#include "prefill.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace llmd::mock {

// --tls-cert, --tls-key and --tls-client-ca: with a certificate the mock speaks only HTTPS.
struct tls_files {
  std::string cert_file;       // PEM chain, server certificate first; "": plain HTTP
  std::string key_file;
  std::string client_ca_file;  // "": no client certificate asked for
  bool enabled() const { return !cert_file.empty(); }
};

struct options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8001;
  std::string name = "mock";
  std::string model = "mock-model";
  int threads = 1;
  std::string log_level = "warn";
  tls_files tls;
  int max_requests_per_connection = 0;  // 0: unlimited
  prefill_options prefill;
  behavior defaults;
};

struct parsed_options {
  enum class status { ok, help, error };
  status result = status::ok;
  options opts;
  std::string message;  // the usage text for help, the reason for error
};

parsed_options parse_options(std::span<char* const> args);

}  // namespace llmd::mock
