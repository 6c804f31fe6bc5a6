// A blocking HTTP/1.1 client for integration tests: whole responses, or a stream read piece
// by piece with arrival times. Every read has a deadline, so a test never hangs.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

class connection {
 public:
  explicit connection(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
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
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// One request on a new connection.
response call(unsigned short port, const std::string& method, const std::string& target, const std::string& body = "",
              const headers& extra = {});

// {"model": model, "messages": [{"role":"user","content":"hi"}], "stream": stream}
std::string chat_body(const std::string& model, bool stream = false);

}  // namespace llmd::test
