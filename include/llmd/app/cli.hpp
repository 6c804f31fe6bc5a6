// The command line: llm-d [--config FILE] [--listen HOST:PORT] [--log-level LEVEL]
//                         [--access-log PATH|off] [--log-format text|json]
//                         [--check-config FILE] [--version] [--help]
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace llmd::app {

struct options {
  std::optional<std::string> config_path;  // --config / -c, else $LLMD_CONFIG
  std::optional<std::string> listen;       // overrides the file's listen
  std::string log_level = "info";
  std::string access_log;            // "": standard error; "off": none
  std::string log_format = "text";   // of the access log: text or json
  std::optional<std::string> check_config;
  bool version = false;
  bool help = false;
};

struct parsed_options {
  options value;
  std::string error;  // non-empty: the command line is unusable
};

parsed_options parse_options(const std::vector<std::string>& args);
const char* usage();

// "HOST:PORT" or "[V6]:PORT" into its parts; false when malformed.
bool split_host_port(const std::string& text, std::string& host, std::string& port);

}  // namespace llmd::app
