#include "options.hpp"

#include <spdlog/common.h>

#include <optional>
#include <string_view>

namespace llmd::mock {

namespace {

constexpr std::string_view usage =
    "usage: llm-d-mock [--listen HOST:PORT] [--name NAME] [--model ID] [--threads N]\n"
    "                  [--log-level LEVEL] [--tokens N] [--token-interval DUR] [--status CODE]\n"
    "                  [--retry-after SECS] [--delay DUR] [--hang] [--reset] [--break-after N]\n"
    "                  [--health-status CODE] [--max-context N]\n"
    "                  [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n"
    "                  [--max-requests-per-connection N]\n"
    "                  [--prefill-per-block DUR [--prefill-block-size BYTES] [--prefill-cache-blocks N]]\n"
    "An OpenAI-compatible mock model server. DUR is e.g. 20ms, 1.5s, 500us or a number of ms.\n"
    "See docs/mock.md.\n";

// HOST:PORT, [IPV6]:PORT or :PORT (all interfaces are then 0.0.0.0).
bool parse_listen(std::string_view text, options& o) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  auto port = parse_int(text.substr(colon + 1), 0, 65535);
  if (!port) return false;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  o.host = host.empty() ? "0.0.0.0" : std::string(host);
  o.port = static_cast<std::uint16_t>(*port);
  return true;
}

constexpr std::string_view valued_flags[] = {"--listen",      "--name",          "--model",
                                             "--threads",     "--log-level",     "--tokens",
                                             "--token-interval", "--status",     "--retry-after",
                                             "--delay",       "--break-after",   "--health-status",
                                             "--max-context", "--tls-cert",      "--tls-key",
                                             "--tls-client-ca", "--max-requests-per-connection",
                                             "--prefill-per-block", "--prefill-block-size",
                                             "--prefill-cache-blocks"};

bool takes_value(std::string_view flag) {
  for (auto f : valued_flags)
    if (f == flag) return true;
  return false;
}

bool apply_prefill(std::string_view flag, std::string_view value, prefill_options& p) {
  if (flag == "--prefill-per-block") {
    auto d = parse_duration(value);
    if (d) p.per_block = *d;
    return d.has_value();
  }
  std::size_t* target = flag == "--prefill-block-size"     ? &p.block_size
                        : flag == "--prefill-cache-blocks" ? &p.cache_blocks
                                                           : nullptr;
  auto n = parse_int(value, 1, 1'000'000'000);
  if (!target || !n) return false;
  *target = static_cast<std::size_t>(*n);
  return true;
}

// Applies one of valued_flags; returns false when the value is invalid.
bool apply_valued(std::string_view flag, std::string_view value, options& o) {
  behavior& b = o.defaults;
  auto set_int = [&](int& target, int min, int max) {
    auto n = parse_int(value, min, max);
    if (n) target = *n;
    return n.has_value();
  };
  auto set_duration = [&](duration& target) {
    auto d = parse_duration(value);
    if (d) target = *d;
    return d.has_value();
  };
  auto set_text = [&](std::string& target) {
    target = value;
    return !value.empty();
  };
  if (flag == "--listen") return parse_listen(value, o);
  if (flag == "--name" || flag == "--model") {
    (flag == "--name" ? o.name : o.model) = value;
    return !value.empty();
  }
  if (flag == "--threads") return set_int(o.threads, 1, 1024);
  if (flag == "--log-level") {
    o.log_level = value;
    return spdlog::level::from_str(o.log_level) != spdlog::level::off || value == "off";
  }
  if (flag == "--tokens") return set_int(b.tokens, 0, max_tokens);
  if (flag == "--token-interval") return set_duration(b.token_interval);
  if (flag == "--status") {
    auto s = parse_status(value);
    if (s) b.status = *s;
    return s.has_value();
  }
  if (flag == "--retry-after") return set_int(b.retry_after, 0, 86'400);
  if (flag == "--delay") return set_duration(b.delay);
  if (flag == "--break-after") {
    int n = 0;
    if (!set_int(n, 0, max_tokens)) return false;
    b.break_after = n;
    return true;
  }
  if (flag == "--health-status") return set_int(b.health_status, 200, 599);
  if (flag == "--max-context") return set_int(b.max_context, 0, max_tokens);
  if (flag == "--tls-cert") return set_text(o.tls.cert_file);
  if (flag == "--tls-key") return set_text(o.tls.key_file);
  if (flag == "--tls-client-ca") return set_text(o.tls.client_ca_file);
  if (flag == "--max-requests-per-connection") return set_int(o.max_requests_per_connection, 0, 1'000'000'000);
  return apply_prefill(flag, value, o.prefill);
}

}  // namespace

parsed_options parse_options(std::span<char* const> args) {
  parsed_options out;
  auto fail = [&](std::string message) {
    out.result = parsed_options::status::error;
    out.message = std::move(message) + " (see llm-d-mock --help)\n";
    return out;
  };
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      out.result = parsed_options::status::help;
      out.message = usage;
      return out;
    }
    if (arg == "--hang") {
      out.opts.defaults.hang = true;
      continue;
    }
    if (arg == "--reset") {
      out.opts.defaults.reset = true;
      continue;
    }
    std::string_view flag = arg;
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (!takes_value(flag)) return fail("unknown option: " + std::string(arg));
    if (!value) {
      if (i + 1 >= args.size()) return fail("missing value for " + std::string(flag));
      value = args[++i];
    }
    if (!apply_valued(flag, *value, out.opts))
      return fail("invalid value for " + std::string(flag) + ": " + std::string(*value));
  }
  const tls_files& tls = out.opts.tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) return fail("--tls-cert and --tls-key go together");
  if (!tls.client_ca_file.empty() && !tls.enabled()) return fail("--tls-client-ca needs --tls-cert and --tls-key");
  return out;
}

}  // namespace llmd::mock
