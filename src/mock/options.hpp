// The llm-d-mock command line.
#pragma once

#include "behavior.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace llmd::mock {

struct options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8001;
  std::string name = "mock";
  std::string model = "mock-model";
  int threads = 1;
  std::string log_level = "warn";
  behavior defaults;
};

struct parsed_options {
  enum class status { ok, help, error };
  status result = status::ok;
  options opts;
  std::string message;  // the usage text for help, the reason for error
};

parsed_options parse_options(std::span<char* const> args);

}  // namespace llmd::mock
