#include "llmd/observe/access_log.hpp"

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

// Lines waiting for the writer thread; past it the oldest go.
constexpr std::size_t backlog = 8192;

std::string pattern_for(log_format format) {
  return format == log_format::json ? R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ"%v})" : "%Y-%m-%dT%H:%M:%S.%eZ %v";
}

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
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern_for(format), spdlog::pattern_time_type::utc));
  auto pool = std::make_shared<spdlog::details::thread_pool>(backlog, 1);
  auto logger = std::make_shared<spdlog::async_logger>("access", std::move(sink), pool,
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_level(spdlog::level::info);
  // A line is written when it is logged, as nginx writes its access log without `buffer=`.
  logger->flush_on(spdlog::level::info);
  return std::unique_ptr<access_log>(new access_log(std::move(pool), std::move(logger), std::move(file), format));
}

access_log::access_log(std::shared_ptr<spdlog::details::thread_pool> writer, std::shared_ptr<spdlog::logger> logger,
                       std::shared_ptr<file_sink> file, log_format format)
    : writer_(std::move(writer)), logger_(std::move(logger)), file_(std::move(file)), format_(format) {}

access_log::~access_log() { logger_->flush(); }

void access_log::write(const router::backend_pool& pool, const proxy::request_record& r) {
  logger_->info(format_line(pool, r, format_));
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
