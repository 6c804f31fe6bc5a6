#include "llmd/app/cli.hpp"

#include <charconv>

namespace llmd::app {

const char* usage() {
  return "usage: llm-d [--config FILE] [--listen HOST:PORT] [--log-level LEVEL]\n"
         "             [--access-log PATH|off] [--log-format text|json]\n"
         "       llm-d --check-config FILE\n"
         "       llm-d --version | --help\n"
         "\n"
         "  -c, --config FILE      model pool (YAML); default $LLMD_CONFIG\n"
         "  --listen HOST:PORT     overrides the config's listen (default 0.0.0.0:8080)\n"
         "  --log-level LEVEL      trace, debug, info, warn, error, critical or off (default info)\n"
         "  --access-log PATH      one line per request to PATH (reopened on SIGUSR1), or off;\n"
         "                         default: standard error\n"
         "  --log-format FORMAT    of the access log: text or json (default text)\n"
         "  --check-config FILE    print every problem of FILE and exit non-zero, or exit 0\n"
         "  --version              print the version\n"
         "  -h, --help             print this help\n";
}

parsed_options parse_options(const std::vector<std::string>& args) {
  parsed_options out;
  auto& o = out.value;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto take = [&](std::optional<std::string>& into) {
      if (i + 1 >= args.size()) {
        out.error = a + " needs a value";
        return;
      }
      into = args[++i];
    };
    if (a == "-c" || a == "--config") {
      take(o.config_path);
    } else if (a == "--listen") {
      take(o.listen);
    } else if (a == "--check-config") {
      take(o.check_config);
    } else if (a == "--log-level") {
      std::optional<std::string> level;
      take(level);
      if (level) o.log_level = *level;
    } else if (a == "--access-log" || a == "--log-format") {
      std::optional<std::string> value;
      take(value);
      if (value) (a == "--access-log" ? o.access_log : o.log_format) = *value;
      if (value && a == "--access-log" && value->empty()) out.error = "--access-log needs a path or off";
      if (value && a == "--log-format" && *value != "text" && *value != "json") {
        out.error = "--log-format is text or json, not '" + *value + "'";
      }
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "-h" || a == "--help") {
      o.help = true;
    } else {
      out.error = "unknown argument: " + a;
    }
    if (!out.error.empty()) return out;
  }
  return out;
}

bool split_host_port(const std::string& text, std::string& host, std::string& port) {
  std::size_t colon;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host = text.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = text.substr(0, colon);
  }
  port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !host.empty() && !port.empty() && ec == std::errc() && end == port.data() + port.size() && value <= 65535;
}

}  // namespace llmd::app
