// The access log: one line per request, from its record, as text or as JSON lines, to standard
// error or to a file that SIGUSR1 reopens (for logrotate). Lines are formatted on the worker and
// written by a thread of their own, so a slow disk or a full pipe never stalls a request: when
// the backlog is full the oldest lines are dropped (and counted). It is independent of
// --log-level.
//
// Nothing secret is in a line: no query string, no header, no key.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "llmd/proxy/request_record.hpp"
#include "llmd/router/backend_pool.hpp"

namespace spdlog {
class logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace llmd::observe {

enum class log_format { text, json };

std::optional<log_format> parse_log_format(std::string_view name);

class file_sink;

class access_log {
 public:
  // `path`: "" for standard error. Null, with `error` set, when the file cannot be opened.
  static std::unique_ptr<access_log> open(const std::string& path, log_format format, std::string& error);
  ~access_log();

  void write(const router::backend_pool& pool, const proxy::request_record& r);
  // After logrotate moved the file: write to a new one at the same path.
  void reopen();
  // Lines dropped because the writer fell behind.
  std::size_t dropped() const;

 private:
  access_log(std::shared_ptr<spdlog::details::thread_pool> writer, std::shared_ptr<spdlog::logger> logger,
             std::shared_ptr<file_sink> file, log_format format);

  // Declared first, so it outlives the logger and writes what is left when both go.
  std::shared_ptr<spdlog::details::thread_pool> writer_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<file_sink> file_;  // null for standard error
  log_format format_;
};

// The line for a record, without the time (the logger adds it): exposed for tests.
std::string format_line(const router::backend_pool& pool, const proxy::request_record& r, log_format format);

}  // namespace llmd::observe
