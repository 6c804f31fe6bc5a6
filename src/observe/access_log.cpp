#include "llmd/observe/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <thread>
#include <utility>
#include <vector>

#include "llmd/observe/decimal.hpp"

namespace llmd::observe {

namespace {

// Emptied batches kept for the workers' next ones, so a batch costs no allocation.
constexpr std::size_t spare_batches = 8;
// A line past batch_bytes sends the batch, so it never has to grow.
constexpr std::size_t batch_capacity = access_log::batch_bytes + 4096;
constexpr auto batch_delay = std::chrono::milliseconds(100);

int open_for_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

// Writes each batch as it came, with one write(2) where it fits: its lines carry their times and
// newlines, so nothing is formatted or buffered. To standard error, or to a file that can be
// opened again at its path.
class fd_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // `path` "": standard error; `fd` the file opened at `path`.
  fd_sink(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~fd_sink() override {
    if (!path_.empty()) ::close(fd_);
  }

  void reopen() {
    if (path_.empty()) return;
    const int fd = open_for_append(path_);
    if (fd < 0) {
      spdlog::error("cannot reopen the access log {}: {}; still writing the old file", path_, std::strerror(errno));
      return;
    }
    std::lock_guard lock(mutex_);
    ::close(std::exchange(fd_, fd));
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const char* p = msg.payload.data();
    std::size_t left = msg.payload.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        report_failure();
        return;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    failing_ = false;
  }
  void flush_() override {}

 private:
  // Once per run of failed writes, not once per batch.
  void report_failure() {
    if (std::exchange(failing_, true)) return;
    spdlog::error("cannot write the access log{}: {}", path_.empty() ? "" : " " + path_, std::strerror(errno));
  }

  std::string path_;
  int fd_;
  bool failing_ = false;
};

}  // namespace

// The thread that writes the workers' batches, in the order they were handed over.
class access_log::writer {
 public:
  explicit writer(std::shared_ptr<fd_sink> sink)
      : sink_(sink), logger_("access", std::move(sink)), thread_([this] { run(); }) {
    logger_.set_level(spdlog::level::info);
  }
  ~writer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void hand_over(std::string& lines) {
    std::string next;
    {
      std::lock_guard lock(mutex_);
      if (pending_.size() == backlog_batches) {
        pending_.pop_front();
        ++dropped_;
      }
      pending_.push_back(std::move(lines));
      if (!spare_.empty()) {
        next = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    wake_.notify_one();
    if (next.capacity() < batch_capacity) next.reserve(batch_capacity);
    lines = std::move(next);
  }

  void reopen() { sink_->reopen(); }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) return;
      std::string batch = std::move(pending_.front());
      pending_.pop_front();
      const std::size_t dropped = std::exchange(dropped_, 0);
      lock.unlock();
      if (dropped > 0) spdlog::warn("access log: {} batches of lines dropped, its writer fell behind", dropped);
      logger_.info(std::string_view(batch));
      batch.clear();
      lock.lock();
      if (spare_.size() < spare_batches) spare_.push_back(std::move(batch));
    }
  }

  std::shared_ptr<fd_sink> sink_;
  spdlog::logger logger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> pending_;
  std::vector<std::string> spare_;
  std::size_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once everything it reads is built
};

std::optional<log_format> parse_log_format(std::string_view name) {
  if (name == "text") return log_format::text;
  if (name == "json") return log_format::json;
  return std::nullopt;
}

std::unique_ptr<access_log> access_log::open(const std::string& path, log_format format, std::string& error) {
  int fd = STDERR_FILENO;
  if (!path.empty() && (fd = open_for_append(path)) < 0) {
    error = "cannot open the access log " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  auto w = std::make_unique<writer>(std::make_shared<fd_sink>(path, fd));
  return std::unique_ptr<access_log>(new access_log(std::move(w), format));
}

access_log::access_log(std::unique_ptr<writer> w, log_format format) : writer_(std::move(w)), format_(format) {}

access_log::~access_log() = default;

void access_log::hand_over(std::string& lines) { writer_->hand_over(lines); }

void access_log::reopen() { writer_->reopen(); }

access_buffer::access_buffer(boost::asio::io_context& io, access_log& log) : log_(log), timer_(io) {
  lines_.reserve(batch_capacity);
}

void access_buffer::restamp(std::int64_t second) {
  stamped_second_ = second;
  const std::time_t t = second;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  const bool json = log_.format() == log_format::json;
  stamp_.assign(json ? R"({"time":")" : "");
  stamp_.append(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc));
  stamp_ += json ? ".000Z\"" : ".000Z ";
}

void access_buffer::add(const router::backend_pool& pool, const proxy::request_record& r) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (ms / 1000 != stamped_second_) restamp(ms / 1000);
  // The milliseconds end before "Z" and the separator.
  write_fixed(stamp_.data() + stamp_.size() - 2, static_cast<std::uint64_t>(ms % 1000), 3);
  lines_ += stamp_;
  append_line(lines_, pool, r, log_.format());
  if (log_.format() == log_format::json) {
    lines_.append("}\n", 2);
  } else {
    lines_.push_back('\n');
  }
  if (lines_.size() >= access_log::batch_bytes) {
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
  log_.hand_over(lines_);
}

}  // namespace llmd::observe
