#include "llmd/observe/access_log.hpp"

#include <cstdio>
#include <ctime>
#include <mutex>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/file_helper.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace llmd::observe {

namespace {

// Batches of lines waiting for the writer thread; past it the oldest go.
constexpr std::size_t backlog_batches = 1024;
// A worker's lines go to the writer when they reach this size, or this long after the first.
constexpr std::size_t batch_bytes = 32 * 1024;
constexpr auto batch_delay = std::chrono::milliseconds(100);

}  // namespace

// Writes each batch as it came: its lines carry their times and newlines, so nothing is
// formatted. To standard error, or to a file that can be opened again at its path.
class file_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // `path` "": standard error.
  explicit file_sink(const std::string& path) : to_stderr_(path.empty()) {
    if (!to_stderr_) file_.open(path, false);
  }
  void reopen() {
    if (to_stderr_) return;
    std::lock_guard lock(mutex_);
    file_.reopen(false);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (to_stderr_) {
      std::fwrite(msg.payload.data(), 1, msg.payload.size(), stderr);
      return;
    }
    batch_.clear();
    batch_.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    file_.write(batch_);
  }
  void flush_() override {
    if (to_stderr_) {
      std::fflush(stderr);
    } else {
      file_.flush();
    }
  }

 private:
  bool to_stderr_;
  spdlog::details::file_helper file_;
  spdlog::memory_buf_t batch_;  // kept, so a batch costs one copy and no allocation
};

std::optional<log_format> parse_log_format(std::string_view name) {
  if (name == "text") return log_format::text;
  if (name == "json") return log_format::json;
  return std::nullopt;
}

std::unique_ptr<access_log> access_log::open(const std::string& path, log_format format, std::string& error) {
  std::shared_ptr<file_sink> sink;
  try {
    sink = std::make_shared<file_sink>(path);
  } catch (const spdlog::spdlog_ex& e) {
    error = "cannot open the access log: " + std::string(e.what());
    return nullptr;
  }
  auto pool = std::make_shared<spdlog::details::thread_pool>(backlog_batches, 1);
  auto logger = std::make_shared<spdlog::async_logger>("access", sink, pool,
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_level(spdlog::level::info);
  // Each batch is written as it arrives: one write per batch, none held back in stdio buffers.
  logger->flush_on(spdlog::level::info);
  return std::unique_ptr<access_log>(new access_log(std::move(pool), std::move(logger), std::move(sink), format));
}

access_log::access_log(std::shared_ptr<spdlog::details::thread_pool> writer, std::shared_ptr<spdlog::logger> logger,
                       std::shared_ptr<file_sink> file, log_format format)
    : writer_(std::move(writer)), logger_(std::move(logger)), file_(std::move(file)), format_(format) {}

access_log::~access_log() { logger_->flush(); }

void access_log::write(std::string_view lines) {
  if (!lines.empty()) logger_->info(lines);
}

access_buffer::access_buffer(boost::asio::io_context& io, access_log& log) : log_(log), timer_(io) {
  // A batch grows in place: a line past batch_bytes sends it.
  lines_.reserve(batch_bytes + 4096);
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
  const char millis[] = {'.', static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                         static_cast<char>('0' + ms % 10), 'Z'};
  lines_ += second_;
  lines_.append(millis, sizeof millis);
}

void access_buffer::add(const router::backend_pool& pool, const proxy::request_record& r) {
  const bool json = log_.format() == log_format::json;
  if (json) lines_ += R"({"time":")";
  stamp(std::chrono::system_clock::now());
  lines_ += json ? "\"" : " ";
  append_line(lines_, pool, r, log_.format());
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
  logger_->flush();
  file_->reopen();
}

std::size_t access_log::dropped() const {
  return writer_->overrun_counter();
}

}  // namespace llmd::observe
