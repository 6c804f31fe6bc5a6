#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>

#include "detail.hpp"

namespace llmd::config::detail {

file_contents read_file(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return {.text = {}, .error = errno};
  file_contents out;
  std::array<char, 64 * 1024> buffer;
  while (const auto n = std::fread(buffer.data(), 1, buffer.size(), file.get())) out.text.append(buffer.data(), n);
  if (std::ferror(file.get())) return {.text = {}, .error = errno};
  return out;
}

}  // namespace llmd::config::detail
