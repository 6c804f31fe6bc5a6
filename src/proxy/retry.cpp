#include "llmd/proxy/retry.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

namespace llmd::proxy {

std::optional<config::duration> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  unsigned long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    return std::chrono::duration_cast<config::duration>(std::chrono::seconds(std::min(seconds, 86400ul)));
  }
  std::tm tm{};
  const std::string text(value);
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!parsed || *parsed != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  return std::max(config::duration(0), std::chrono::duration_cast<config::duration>(at - now));
}

config::duration backoff_delay(const config::retry_policy& policy, int n, double unit) {
  auto ceiling = policy.backoff;
  for (int i = 1; i < n && ceiling < policy.backoff_max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.backoff_max);
  return std::chrono::duration_cast<config::duration>(ceiling * unit);
}

std::chrono::steady_clock::time_point cooling_pause_end(const config::retry_policy& policy,
                                                        std::chrono::steady_clock::time_point now,
                                                        std::chrono::steady_clock::time_point cooling_until) {
  return std::min(cooling_until, now + policy.backoff_max);
}

}  // namespace llmd::proxy
