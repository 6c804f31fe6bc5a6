// llm-d: an OpenAI-compatible front door for a pool of model servers.
#include <cstdio>
#include <cstdlib>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "llmd/app/cli.hpp"
#include "llmd/app/daemon.hpp"
#include "llmd/build_info.hpp"
#include "llmd/config/parse.hpp"

namespace {

int check_config(const std::string& path) {
  const auto parsed = llmd::config::load_file(path);
  for (const auto& p : parsed.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
  for (const auto& w : parsed.warnings) std::fprintf(stderr, "warning: %s\n", w.to_string().c_str());
  if (!parsed.problems.empty()) return 1;
  std::printf("%s: ok\n", path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto parsed = llmd::app::parse_options({argv + 1, argv + argc});
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "llm-d: %s\n%s", parsed.error.c_str(), llmd::app::usage());
    return 2;
  }
  const auto& opts = parsed.value;
  if (opts.help) {
    std::fputs(llmd::app::usage(), stdout);
    return 0;
  }
  if (opts.version) {
    std::printf("llm-d %s (commit %s)\n", llmd::build::version, llmd::build::commit);
    return 0;
  }
  if (opts.check_config) return check_config(*opts.check_config);

  spdlog::set_default_logger(spdlog::stderr_color_mt("llm-d"));
  const auto level = spdlog::level::from_str(opts.log_level);
  if (level == spdlog::level::off && opts.log_level != "off") {
    std::fprintf(stderr, "llm-d: unknown log level '%s'\n", opts.log_level.c_str());
    return 2;
  }
  spdlog::set_level(level);

  std::string path;
  if (opts.config_path) {
    path = *opts.config_path;
  } else if (const char* env = std::getenv("LLMD_CONFIG")) {
    path = env;
  } else {
    std::fprintf(stderr, "llm-d: no config: pass --config FILE or set LLMD_CONFIG\n%s", llmd::app::usage());
    return 2;
  }
  auto loaded = llmd::config::load_file(path);
  if (!loaded.value) {
    std::fprintf(stderr, "llm-d: %s is not a valid config:\n", path.c_str());
    for (const auto& p : loaded.problems) std::fprintf(stderr, "  %s\n", p.to_string().c_str());
    return 1;
  }
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w.to_string());
  auto cfg = std::move(*loaded.value);
  if (opts.listen && !llmd::app::split_host_port(*opts.listen, cfg.listen_host, cfg.listen_port)) {
    std::fprintf(stderr, "llm-d: --listen needs HOST:PORT, got '%s'\n", opts.listen->c_str());
    return 2;
  }
  return llmd::app::run_daemon(std::make_shared<const llmd::config::config>(std::move(cfg)), path, opts);
}
