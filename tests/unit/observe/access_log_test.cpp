#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "llmd/observe/access_log.hpp"

namespace llmd::observe {
namespace {

std::string read_all(int fd) {
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return text;
}

// The numbers of the batches in `text`, whose lines are "batch N" followed by padding.
std::vector<int> batch_numbers(const std::string& text) {
  std::vector<int> numbers;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    int n = -1;
    EXPECT_EQ(std::sscanf(line.c_str(), "batch %d", &n), 1) << line;
    numbers.push_back(n);
  }
  return numbers;
}

std::string batch(int n, std::size_t padding) { return "batch " + std::to_string(n) + std::string(padding, '.') + "\n"; }

TEST(access_log, writes_the_batches_handed_over_whole_and_in_order_before_it_goes) {
  const auto path = std::filesystem::temp_directory_path() / ("llmd-access-" + std::to_string(::getpid()) + ".log");
  {
    std::string error;
    auto log = access_log::open(path, log_format::text, error);
    ASSERT_TRUE(log) << error;
    for (int i = 0; i < 100; ++i) {
      std::string lines = batch(i, 100);
      log->hand_over(lines);
      EXPECT_TRUE(lines.empty());
      EXPECT_GE(lines.capacity(), access_log::batch_bytes);
    }
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(path);
  std::vector<int> expected(100);
  for (int i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_EQ(batch_numbers(text.str()), expected);
}

TEST(access_log, a_writer_that_falls_behind_drops_the_oldest_batches_and_says_so) {
  std::ostringstream daemon_log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(daemon_log)));
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  constexpr int batches = 3000;
  std::string text;
  {
    std::string error;
    // Nobody reads the pipe yet: the writer stops at its first full pipe, and the backlog fills.
    auto log = access_log::open("/proc/self/fd/" + std::to_string(pipe_fds[1]), log_format::text, error);
    ASSERT_TRUE(log) << error;
    ::close(pipe_fds[1]);
    for (int i = 0; i < batches; ++i) {
      std::string lines = batch(i, 1000);
      log->hand_over(lines);
    }
    std::thread reader([&] { text = read_all(pipe_fds[0]); });
    log.reset();
    reader.join();
  }
  ::close(pipe_fds[0]);
  spdlog::set_default_logger(previous);

  const auto numbers = batch_numbers(text);
  ASSERT_GE(numbers.size(), access_log::backlog_batches);
  EXPECT_LT(numbers.size(), static_cast<std::size_t>(batches));
  EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end()));
  // The newest batches are all there, the backlog's worth.
  for (std::size_t i = 0; i < access_log::backlog_batches; ++i) {
    EXPECT_EQ(numbers[numbers.size() - 1 - i], batches - 1 - static_cast<int>(i));
  }
  EXPECT_NE(daemon_log.str().find("batches of lines dropped, its writer fell behind"), std::string::npos)
      << daemon_log.str();
}

}  // namespace
}  // namespace llmd::observe
