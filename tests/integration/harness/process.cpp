#include "process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace llmd::test {

namespace {

// What posix_spawn takes: pointers to `strings` and a null.
std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> command(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<std::string> out{binary};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

bool is_proxy_variable(std::string_view entry) {
  const auto name = entry.substr(0, entry.find('='));
  for (std::string_view proxy : {"http_proxy", "https_proxy", "no_proxy", "all_proxy"}) {
    if (name.size() == proxy.size() &&
        std::equal(name.begin(), name.end(), proxy.begin(), [](char a, char b) { return std::tolower(a) == b; })) {
      return true;
    }
  }
  return false;
}

// This process's environment without the proxy variables a developer's shell may carry (a test
// sets them itself when it means to), then `extra`, which wins over what is inherited.
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('=') + 1);
    const bool overridden =
        std::any_of(extra.begin(), extra.end(), [&](const std::string& x) { return x.starts_with(name); });
    if (!overridden && !is_proxy_variable(entry)) out.emplace_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string fresh_temp_path(const std::string& stem) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/" + stem + "XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

}  // namespace

process::process(const std::string& binary, const std::vector<std::string>& args,
                 std::chrono::milliseconds startup, const std::vector<std::string>& env) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  log_path_ = fresh_temp_path("llmd-proc-") + "/stderr.log";
  if (std::filesystem::path(binary).filename() == "llm-d") {
    keep_as_ = std::filesystem::path(log_path_).parent_path().filename().string() + ".log";
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Sockets other test threads hold open (Asio does not mark them close-on-exec) must not live
  // on in the child, or a connection the test closed would stay open.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  const auto words = command(binary, args);
  const auto environment = environment_with(env);
  auto argv = c_strings(words);
  auto envp = c_strings(environment);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
  if (rc != 0) throw std::runtime_error("cannot start " + binary);

  const auto port = read_port_after("listening on ", std::chrono::steady_clock::now() + startup);
  if (!port) {
    const auto err = log();
    stop();
    throw std::runtime_error(binary + " did not start; stdout: " + stdout_ + "\nstderr: " + err);
  }
  port_ = *port;
}

std::optional<unsigned short> process::read_port_after(const std::string& text,
                                                       std::chrono::steady_clock::time_point deadline) {
  auto line_end = [&] {
    const auto at = stdout_.find(text);
    return at == std::string::npos ? std::string::npos : stdout_.find('\n', at);
  };
  while (line_end() == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{stdout_fd_, POLLIN, 0};
    char buf[512];
    ssize_t n = 0;
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0 ||
        (n = read(stdout_fd_, buf, sizeof buf)) <= 0) {
      return std::nullopt;
    }
    stdout_.append(buf, static_cast<std::size_t>(n));
  }
  const auto end = line_end();
  const auto colon = stdout_.rfind(':', end);
  return static_cast<unsigned short>(std::stoi(stdout_.substr(colon + 1, end - colon - 1)));
}

unsigned short process::port_of(const std::string& label, std::chrono::milliseconds within) {
  const auto port = read_port_after(label + " listening on ", std::chrono::steady_clock::now() + within);
  if (!port) throw std::runtime_error("no \"" + label + " listening on\" line; stdout: " + stdout_ + "\nstderr: " + log());
  return *port;
}

process::~process() { stop(); }

void process::signal(int signal) const {
  if (pid_ > 0) ::kill(pid_, signal);
}

int process::signal_and_wait(int signal, std::chrono::milliseconds within) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    usleep(5'000);
  }
}

int process::open_descriptors() const {
  DIR* dir = opendir(("/proc/" + std::to_string(pid_) + "/fd").c_str());
  if (!dir) return -1;
  int n = 0;
  while (readdir(dir)) ++n;
  closedir(dir);
  return n;
}

void process::kill_now() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
}

void process::stop() {
  if (crash_) kill_now();
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    // A process that ignores SIGTERM for 5 s is killed: a test never hangs on it.
    bool reaped = false;
    for (int i = 0; i < 500 && !reaped; ++i) {
      reaped = waitpid(pid_, nullptr, WNOHANG) == pid_;
      if (!reaped) usleep(10'000);
    }
    if (reaped) pid_ = -1;
    kill_now();
    // In sanitizer builds, whatever a child reports fails the test that ran it.
    const auto err = log();
    for (const char* sign : {"AddressSanitizer", "LeakSanitizer", "runtime error:"}) {
      if (err.find(sign) != std::string::npos) ADD_FAILURE() << "child process reported:\n" << err;
    }
  }
  if (stdout_fd_ >= 0) close(std::exchange(stdout_fd_, -1));
  if (!log_path_.empty()) {
    keep_log();
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::path(log_path_).parent_path(), ignored);
    log_path_.clear();
  }
}

std::string process::log() const { return read_file(log_path_); }

// With LLMD_TEST_LOG_DIR set (ctest sets it), llm-d's logs outlive it there, for the scan that
// proves no secret of any test reached a log line.
void process::keep_log() const {
  const char* dir = std::getenv("LLMD_TEST_LOG_DIR");
  if (!dir || !keep_as_) return;
  std::error_code ignored;
  std::filesystem::create_directories(dir, ignored);
  std::filesystem::copy_file(log_path_, std::string(dir) + "/" + *keep_as_, ignored);
}

run_result run(const std::string& binary, const std::vector<std::string>& args, const std::vector<std::string>& env) {
  temp_dir dir;
  const auto out_path = dir.path() + "/out";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  const auto words = command(binary, args);
  const auto environment = environment_with(env);
  auto argv = c_strings(words);
  auto envp = c_strings(environment);
  pid_t pid;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out_path)};
}

temp_dir::temp_dir() : path_(fresh_temp_path("llmd-test-")) {}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string temp_dir::write(const std::string& name, const std::string& content) const {
  const auto path = path_ + "/" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace llmd::test
