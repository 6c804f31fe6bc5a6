// The checks a request passes before the proxy takes it, in order: who calls (from the head,
// before the body is read), then, once its model is known, whether the key may use that group and
// whether its quota holds. The routes run them; each is a small function of its own.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "llmd/api/request_fields.hpp"
#include "llmd/http/exchange.hpp"
#include "llmd/http/field_list.hpp"
#include "llmd/proxy/client_keys.hpp"
#include "llmd/proxy/request_record.hpp"

namespace llmd::proxy {

// Why a request is turned away at the door, as the client is told.
struct refusal {
  boost::beast::http::status status;
  std::string_view reason;  // llmd_rejected_total's label: unauthorized, model_not_allowed, rate_limited
  std::string message;
  std::string_view type;
  std::string_view code;
  std::optional<std::chrono::seconds> retry_after;

  http::response response() const;
};

// The key a request's `Authorization: Bearer KEY` names, or 401 invalid_api_key. `digests`, the
// connection's, hashes a token the connection sent before only once; null: every time.
std::variant<const client*, refusal> authenticate(const client_keys& keys, const http::field_list& fields,
                                                  http::token_digests* digests);

// Once the model is known: 403 model_not_allowed when `key` may not ask for `group` (as the
// request's model named it), else 429 rate_limit_exceeded when the key has used its rpm or its
// tpm, else nullopt, one request of its rpm taken. A stream of a key with tpm is made to report
// its usage (api::ask_for_usage), so that its tokens count too.
std::optional<refusal> admit(const client& key, http::request& req, api::request_fields& fields, int group,
                             rate_limit::clock::time_point now);

// The tokens of the answer (prompt and completion, as the upstream reported them) are taken from
// its key's tpm.
void charge_tokens(const request_record& record, rate_limit::clock::time_point now);

}  // namespace llmd::proxy
