// Helpers shared by the config parser's source files; not part of the public API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmd/config/parse.hpp"

namespace llmd::config::detail {

// A host (IPv6 without brackets) and a port, both as they go to the resolver.
struct address {
  std::string host;
  std::string port;
};
struct address_result {
  std::optional<address> value;
  std::string error;
};
// A letter, a digit, '-', '.' or '_': what host names and the names of keys and replicas are made of.
inline bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

// `listen`: "HOST:PORT" or "[V6]:PORT", port 0 to 65535.
address_result parse_listen(std::string_view text);
// A URL's "HOST[:PORT]" or "[V6][:PORT]": the port is 1 to 65535, `default_port` when absent.
address_result parse_authority(std::string_view text, std::string_view default_port);

struct expansion {
  std::string text;
  std::vector<std::string> missing;  // names of unset variables, in order of appearance
};
// Replaces every ${NAME} (NAME = [A-Za-z_][A-Za-z0-9_]*); anything else is kept as written.
expansion expand_env(std::string_view text, const env_lookup& env);

// Digits only, within int; nullopt otherwise (no sign, no spaces).
std::optional<int> parse_int(std::string_view text);
// "3" or "2.5": digits, optionally a '.' and more digits; nullopt otherwise (no sign, no exponent).
std::optional<double> parse_decimal(std::string_view text);
// "20%" or "20" (also "12.5%") within 0 to 100; nullopt otherwise.
std::optional<double> parse_percent(std::string_view text);
// In the largest unit that shows it exactly, as it could be written in the file: "250ms", "2s", "5m".
std::string format_duration(duration d);

struct file_contents {
  std::string text;
  int error = 0;  // errno when the file could not be read whole
};
file_contents read_file(const std::string& path);

// A host name (letters, digits, '-', '.', '_') or an IP address; IPv6 without brackets.
bool is_host(std::string_view host);

bool is_header_name(std::string_view name);
// Control characters other than tab: CR and LF would split a header line.
bool has_control_chars(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace llmd::config::detail
