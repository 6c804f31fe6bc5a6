// A raw TCP upstream for tests of hostile or broken backends: on a loopback port the kernel
// picks, on a thread of its own, it reads each request (its head, then a Content-Length body)
// and answers with exactly the bytes the test scripts, in timed pieces, then reads the next
// request on the connection, closes it, resets it, or holds it open without a word. The
// destructor stops it at once, whatever it was doing.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llmd::test {

struct raw_piece {
  std::string bytes{};
  std::chrono::milliseconds after{0};  // the pause before the bytes go
};

enum class raw_end {
  keep_alive,  // read the next request on the connection
  close,       // close it (FIN)
  reset,       // abort it (RST)
  hold,        // neither answer nor close again: read and drop until the peer goes
};

struct raw_answer {
  std::vector<raw_piece> pieces{};
  raw_end end = raw_end::keep_alive;
  // After the pieces, sent again and again until the peer goes (`end` then does not apply).
  std::optional<raw_piece> repeat{};
};

// A well-formed 200 with `body` as its Content-Length body, kept alive.
raw_answer raw_ok(const std::string& body, const std::string& content_type = "application/json");

class raw_upstream {
 public:
  // `script(n)` is the answer to the n-th request read (from 1), called on the upstream's thread.
  explicit raw_upstream(std::function<raw_answer(int)> script);
  ~raw_upstream();
  raw_upstream(const raw_upstream&) = delete;
  raw_upstream& operator=(const raw_upstream&) = delete;

  unsigned short port() const;
  // As a config's endpoint: http://127.0.0.1:PORT/v1/chat/completions.
  std::string endpoint() const;
  int requests() const;     // requests read whole so far
  int connections() const;  // connections accepted so far
  int answered() const;     // answers whose pieces have all been written

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// One entry of a config's `models` list: `name` served by `u`, with `extra` lines (indented by four).
std::string model_entry(const std::string& name, const raw_upstream& u, const std::string& extra = "");
// NAME@127.0.0.1:PORT.
std::string replica_id(const std::string& name, const raw_upstream& u);

}  // namespace llmd::test
