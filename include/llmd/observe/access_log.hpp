// The access log: one line per request, from its record, as text or as JSON lines, to standard
// error or to a file that SIGUSR1 reopens (for logrotate). Each worker formats its lines into a
// buffer of its own (access_buffer) and hands it over whole, when it is large or 100 ms after its
// first line, to the log's writer thread, which passes it to an spdlog logger whose sink writes
// it as it is. A request costs no lock and no wake-up, a batch is never copied, and a slow disk
// or a full pipe never stalls a worker: when the writer's backlog is full the oldest batches are
// dropped, and the writer says how many in the daemon's log. It is independent of --log-level.
//
// Nothing secret is in a line: no query string, no header, no key.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "llmd/proxy/request_record.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::observe {

enum class log_format { text, json };

std::optional<log_format> parse_log_format(std::string_view name);

class access_log {
 public:
  // A worker's batch goes to the writer when it reaches this size (or 100 ms after its first line).
  static constexpr std::size_t batch_bytes = 32 * 1024;
  // Batches waiting for the writer; past it the oldest go.
  static constexpr std::size_t backlog_batches = 1024;

  // `path`: "" for standard error. Null, with `error` set, when the file cannot be opened.
  static std::unique_ptr<access_log> open(const std::string& path, log_format format, std::string& error);
  // Writes every batch handed over before it returns.
  ~access_log();

  // Takes `lines` (each ending in a newline) to be written together, and leaves an empty buffer
  // with room for the next batch in its place.
  void hand_over(std::string& lines);
  log_format format() const { return format_; }
  // After logrotate moved the file: write to a new one at the same path.
  void reopen();

 private:
  class writer;
  access_log(std::unique_ptr<writer> w, log_format format);

  std::unique_ptr<writer> writer_;
  log_format format_;
};

// One worker's lines on their way to the access log. Only its worker touches it.
class access_buffer {
 public:
  access_buffer(boost::asio::io_context& io, access_log& log);
  ~access_buffer() { flush(); }
  access_buffer(const access_buffer&) = delete;
  access_buffer& operator=(const access_buffer&) = delete;

  void add(const router::backend_pool& pool, const proxy::request_record& r);
  void flush();

 private:
  // Starts stamp_ over for a new second (since the epoch).
  void restamp(std::int64_t second);

  access_log& log_;
  boost::asio::steady_timer timer_;
  std::string lines_;
  bool armed_ = false;
  std::int64_t stamped_second_ = -1;
  // What a line starts with in stamped_second_, up to its fields: `{"time":"YYYY-MM-DDTHH:MM:SS.mmmZ"`
  // for JSON, `YYYY-MM-DDTHH:MM:SS.mmmZ ` for text; each line writes its milliseconds in.
  std::string stamp_;
};

// Appends the line for a record, without its time: text, or for JSON the members after "time"
// (see access_buffer::add).
void append_line(std::string& out, const router::backend_pool& pool, const proxy::request_record& r,
                 log_format format);

}  // namespace llmd::observe
