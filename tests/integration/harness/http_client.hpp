// A blocking HTTP/1.1 client for integration tests, over plain TCP or TLS: whole responses, or
// a stream read piece by piece with arrival times. Every operation has a deadline, so a test
// never hangs.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct ssl_session_st;  // OpenSSL's SSL_SESSION

namespace llmd::test {

using headers = std::vector<std::pair<std::string, std::string>>;

struct response {
  unsigned status = 0;
  std::map<std::string, std::string> header_map;  // names lower-cased
  std::string body;
  std::string header(const std::string& lower_name) const;
  bool has(const std::string& lower_name) const { return header_map.count(lower_name) > 0; }
};

struct piece {
  std::string data;
  std::chrono::steady_clock::time_point at;
};

// A TLS session kept when a connection closes, for the next connection given the same cache to
// resume.
struct tls_session_cache {
  std::shared_ptr<ssl_session_st> session;  // the last resumable one; null: none yet
};

enum class tls_version { tls1_2, tls1_3 };

struct tls_options {
  std::string ca_file{};                  // the CAs to trust; "": the system's store
  std::string server_name = "localhost";  // verified against the certificate; sent as SNI unless an IP address
  std::string cert_file{};                // a client certificate, with key_file; "": none
  std::string key_file{};
  bool verify = true;
  std::optional<tls_version> max_version{};    // nullopt: the newest both sides speak
  tls_session_cache* session_cache = nullptr;  // offers its session, keeps the connection's
};

class connection {
 public:
  // Each operation (connect, handshake, send, read) fails with std::runtime_error after `timeout`.
  explicit connection(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // HTTPS; a failed handshake throws, with the reason the certificate was not verified if it was not.
  connection(unsigned short port, const tls_options& tls, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void send(const std::string& method, const std::string& target, const std::string& body = "",
            const headers& extra = {});
  void send_raw(const std::string& bytes);
  response read_response();
  // Streaming: the header first, then body pieces as they arrive; nullopt once the body ended.
  response read_header();
  std::optional<piece> read_piece();
  // Everything until the server closes the connection (or the timeout).
  std::string read_until_close();
  // With TLS: keeps the session in the options' cache, then sends close_notify.
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// One request on a new connection.
response call(unsigned short port, const std::string& method, const std::string& target, const std::string& body = "",
              const headers& extra = {});
response call(unsigned short port, const tls_options& tls, const std::string& method, const std::string& target,
              const std::string& body = "", const headers& extra = {});

// {"model": model, "messages": [{"role":"user","content":"hi"}], "stream": stream}
std::string chat_body(const std::string& model, bool stream = false);
// chat_body(model, true) with "stream_options": {"include_usage": true}: the stream ends with a usage event.
std::string chat_stream_with_usage(const std::string& model);
// The "usage" object of an answer: a JSON body's, or the last one of a stream's events that is
// not null; null when there is none.
nlohmann::json usage_of(const std::string& body);

}  // namespace llmd::test
