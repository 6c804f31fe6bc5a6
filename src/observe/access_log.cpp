#include "llmd/observe/access_log.hpp"

#include <ctime>
#include <fmt/format.h>
#include <mutex>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/file_helper.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace llmd::observe {

namespace {


// Batches of lines waiting for the writer thread; past it the oldest go.
constexpr std::size_t backlog_batches = 1024;
// A worker's lines go to the writer when they reach this size, or this long after the first.
constexpr std::size_t batch_bytes = 32 * 1024;
constexpr auto batch_delay = std::chrono::milliseconds(100);

}  // namespace

// A file sink that can open its path again.
class file_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit file_sink(const std::string& path) { file_.open(path, false); }
  void reopen() {
    std::lock_guard lock(mutex_);
    file_.reopen(false);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    file_.write(line);
  }
  void flush_() override { file_.flush(); }

 private:
  spdlog::details::file_helper file_;
};

std::optional<log_format> parse_log_format(std::string_view name) {
  if (name == "text") return log_format::text;
  if (name == "json") return log_format::json;
  return std::nullopt;
}

std::unique_ptr<access_log> access_log::open(const std::string& path, log_format format, std::string& error) {
  std::shared_ptr<file_sink> file;
  spdlog::sink_ptr sink;
  try {
    if (path.empty()) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      file = std::make_shared<file_sink>(path);
      sink = file;
    }
  } catch (const spdlog::spdlog_ex& e) {
    error = "cannot open the access log: " + std::string(e.what());
    return nullptr;
  }
  // The lines come formatted, times included; the last newline of a batch is the pattern's.
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
  auto pool = std::make_shared<spdlog::details::thread_pool>(backlog_batches, 1);
  auto logger = std::make_shared<spdlog::async_logger>("access", std::move(sink), pool,
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_level(spdlog::level::info);
  // Each batch is written as it arrives: one write per batch, none held back in stdio buffers.
  logger->flush_on(spdlog::level::info);
  return std::unique_ptr<access_log>(new access_log(std::move(pool), std::move(logger), std::move(file), format));
}

access_log::access_log(std::shared_ptr<spdlog::details::thread_pool> writer, std::shared_ptr<spdlog::logger> logger,
                       std::shared_ptr<file_sink> file, log_format format)
    : writer_(std::move(writer)), logger_(std::move(logger)), file_(std::move(file)), format_(format) {}

access_log::~access_log() { logger_->flush(); }

void access_log::write(std::string_view lines) {
  if (!lines.empty() && lines.back() == '\n') lines.remove_suffix(1);
  if (!lines.empty()) logger_->info(lines);
}

void access_buffer::stamp(std::chrono::system_clock::time_point now) {
  const auto since_epoch = now.time_since_epoch();
  const auto second = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  if (second != stamped_second_) {
    stamped_second_ = second;
    const std::time_t t = second;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    second_.assign(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  fmt::format_to(std::back_inserter(lines_), "{}.{:03}Z", second_, ms);
}

void access_buffer::add(const router::backend_pool& pool, const proxy::request_record& r) {
  const bool json = log_.format() == log_format::json;
  if (json) lines_ += R"({"time":")";
  stamp(std::chrono::system_clock::now());
  lines_ += json ? "\"" : " ";
  lines_ += format_line(pool, r, log_.format());
  lines_ += json ? "}\n" : "\n";
  if (lines_.size() >= batch_bytes) {
    flush();
    return;
  }
  if (armed_) return;
  armed_ = true;
  timer_.expires_after(batch_delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // the worker is going away: the destructor flushes
    armed_ = false;
    flush();
  });
}

void access_buffer::flush() {
  if (lines_.empty()) return;
  log_.write(lines_);
  lines_.clear();
}

void access_log::reopen() {
  if (!file_) return;
  logger_->flush();
  file_->reopen();
}

std::size_t access_log::dropped() const {
  return writer_->overrun_counter();
}

}  // namespace llmd::observe
