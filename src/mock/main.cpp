// llm-d-mock: an OpenAI-compatible mock model server for demos, integration tests and
// benchmarks of the gateway (see docs/mock.md).
#include "context.hpp"
#include "options.hpp"
#include "server.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <optional>
#include <stdexcept>

int main(int argc, char** argv) {
  using namespace llmd::mock;
  auto parsed = parse_options({argv, static_cast<std::size_t>(argc)});
  if (parsed.result == parsed_options::status::help) {
    std::fputs(parsed.message.c_str(), stdout);
    return 0;
  }
  if (parsed.result == parsed_options::status::error) {
    std::fputs(("llm-d-mock: " + parsed.message).c_str(), stderr);
    return 2;
  }
  // stdout carries only the "listening on" line that tests wait for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("llm-d-mock"));
  spdlog::set_level(spdlog::level::from_str(parsed.opts.log_level));
  std::optional<context> ctx;
  try {
    ctx.emplace(std::move(parsed.opts));
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "llm-d-mock: %s\n", e.what());
    return 1;
  }
  return run_server(*ctx);
}
