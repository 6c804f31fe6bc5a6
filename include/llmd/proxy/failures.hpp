// What went wrong on each try of a request that no backend answered, and the one error the
// client gets for all of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "llmd/http/openai_error.hpp"
#include "llmd/router/backend_pool.hpp"
#include "llmd/upstream/outcome.hpp"

namespace llmd::proxy {

struct failure {
  std::string backend;  // replica id, or group name when the group was skipped
  router::unavailable skipped = router::unavailable::none;  // no attempt: the group was full, cooling or ejected
  upstream::outcome result = upstream::outcome::ok;
  unsigned status = 0;                          // upstream status, for status outcomes
  std::optional<config::duration> retry_after;  // how long the upstream asked to be left alone
};

struct client_error {
  unsigned status;               // 429, 502 or 504
  std::string message;
  std::string type;
  std::string code;
  std::string retry_after;       // empty: no Retry-After header

  http::openai_error body() const { return {message, type, code, ""}; }
};

// All timed out: 504. All rate limited, full or cooling down (backpressure): 429. Anything else:
// 502. Whatever the status, a Retry-After when an upstream asked for one (the last of them),
// and on a 429 always. The message names every backend tried and why it failed, and says when
// the retry budget stopped further attempts.
client_error summarize(const std::vector<failure>& failures, std::string_view model, bool budget_spent = false);

}  // namespace llmd::proxy
