#include "llmd/proxy/failures.hpp"

#include <algorithm>
#include <chrono>

namespace llmd::proxy {

namespace {

std::string describe(const failure& f) {
  if (f.skipped == router::unavailable::full) return f.backend + ": all replicas at max_concurrent";
  if (f.skipped == router::unavailable::cooling) return f.backend + ": all replicas cooling down after Retry-After";
  if (f.skipped == router::unavailable::unhealthy) return f.backend + ": all replicas ejected";
  std::string text = f.backend + ": " + std::string(upstream::describe(f.result));
  if (f.result == upstream::outcome::status_5xx) text += ' ' + std::to_string(f.status);
  return text;
}

// Whole seconds, rounded up: a client that waits this long is not early.
std::string in_seconds(config::duration wait) {
  return std::to_string(std::chrono::ceil<std::chrono::seconds>(wait).count());
}

}  // namespace

client_error summarize(const std::vector<failure>& failures, std::string_view model, bool budget_spent) {
  std::string detail;
  for (const auto& f : failures) detail += (detail.empty() ? "" : "; ") + describe(f);
  if (budget_spent) detail += "; retry budget exhausted";
  const auto all = [&](auto pred) { return !failures.empty() && std::all_of(failures.begin(), failures.end(), pred); };

  std::string retry_after;
  for (const auto& f : failures) {
    if (f.retry_after) retry_after = in_seconds(*f.retry_after);
  }

  const auto skipped = [](const failure& f) { return f.skipped != router::unavailable::none; };
  if (all([&](const failure& f) { return !skipped(f) && upstream::is_timeout(f.result); })) {
    return {504, "no backend answered model '" + std::string(model) + "' in time (" + detail + ")", "timeout_error",
            "upstream_timeout", retry_after};
  }
  if (all([](const failure& f) {
        return f.skipped == router::unavailable::full || f.skipped == router::unavailable::cooling ||
               f.result == upstream::outcome::status_429;
      })) {
    return {429, "every backend for model '" + std::string(model) + "' is at capacity (" + detail + ")",
            "rate_limit_error", "rate_limit_exceeded", retry_after.empty() ? "1" : retry_after};
  }
  return {502, "no backend could answer model '" + std::string(model) + "' (" + detail + ")", "api_error",
          "upstream_unavailable", retry_after};
}

}  // namespace llmd::proxy
