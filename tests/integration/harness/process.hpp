// A child process (llm-d or llm-d-mock) started for a test, stopped when the object dies.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace llmd::test {

class process {
 public:
  // Starts `binary args...`, then waits for its "... listening on HOST:PORT" line on stdout.
  // Throws std::runtime_error with the process's stderr when it exits or stays silent instead.
  // The child gets this process's environment without proxy variables, plus `env` ("NAME=VALUE").
  process(const std::string& binary, const std::vector<std::string>& args,
          std::chrono::milliseconds startup = std::chrono::seconds(20), const std::vector<std::string>& env = {});
  ~process();
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  unsigned short port() const { return port_; }
  // The port of a later line "... LABEL listening on HOST:PORT" (llm-d's "admin"), waiting up to
  // `within` for it; throws std::runtime_error when it does not come.
  unsigned short port_of(const std::string& label, std::chrono::milliseconds within = std::chrono::seconds(5));
  pid_t pid() const { return pid_; }
  // How many descriptors it holds open (its /proc/PID/fd entries), or -1 when that cannot be read.
  int open_descriptors() const;
  // SIGKILL and reap: the process vanishes without closing anything gracefully.
  void kill_now();
  // Sends `signal` and waits up to `within` for the process to exit: its exit status, or -1
  // when it is still running (it is then left to the destructor).
  int signal_and_wait(int signal, std::chrono::milliseconds within);
  // Sends `signal` and returns at once.
  void signal(int signal) const;
  // SIGKILL now, in the destructor: a crash rather than a stop.
  void crash_on_destruction() { crash_ = true; }
  std::string log() const;  // what it wrote to stderr so far

 private:
  void stop();
  void keep_log() const;
  // Reads stdout until a whole line holds `text`, then returns the port at that line's end;
  // nullopt when the deadline passes or stdout ends first.
  std::optional<unsigned short> read_port_after(const std::string& text, std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  bool crash_ = false;
  int stdout_fd_ = -1;
  std::string stdout_;  // what it printed so far
  unsigned short port_ = 0;
  std::string log_path_;
  std::optional<std::string> keep_as_;  // llm-d's own: the name its log is kept under
};

// Runs a command to completion, capturing stdout and stderr together, in the environment a
// process gets.
struct run_result {
  int exit_code;
  std::string output;
};
run_result run(const std::string& binary, const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// A fresh directory under TMPDIR, removed when the object dies.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace llmd::test
