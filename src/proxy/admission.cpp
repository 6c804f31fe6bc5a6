#include "llmd/proxy/admission.hpp"

#include <boost/beast/http/field.hpp>

#include "llmd/http/authorization.hpp"
#include "llmd/http/openai_error.hpp"

namespace llmd::proxy {

namespace {

namespace bhttp = boost::beast::http;

refusal unauthorized(std::string message) {
  return {.status = bhttp::status::unauthorized,
          .reason = "unauthorized",
          .message = std::move(message),
          .type = "invalid_request_error",
          .code = "invalid_api_key",
          .retry_after = std::nullopt};
}

refusal over_limit(std::string_view what, int limit, std::string_view type, rate_limit::clock::duration wait) {
  const auto after = retry_after_of(wait);
  return {.status = bhttp::status::too_many_requests,
          .reason = "rate_limited",
          .message = "Rate limit reached for " + std::string(what) + ": limit " + std::to_string(limit) +
                     ". Please try again in " + std::to_string(after.count()) + "s.",
          .type = type,
          .code = "rate_limit_exceeded",
          .retry_after = after};
}

}  // namespace

http::response refusal::response() const {
  auto res = http::error_response(status, {message, type, code, ""});
  if (retry_after) res.set(bhttp::field::retry_after, std::to_string(retry_after->count()));
  return res;
}

std::variant<const client*, refusal> authenticate(const client_keys& keys, const http::field_list& fields,
                                                  http::token_digests* digests) {
  const auto header = fields.find(bhttp::field::authorization);
  const auto credentials = header ? http::parse_authorization(*header) : std::nullopt;
  if (!credentials || !credentials->is("Bearer")) {
    return unauthorized(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer "
        "auth (i.e. Authorization: Bearer YOUR_KEY).");
  }
  const auto digest = digests ? digests->of(credentials->token) : config::digest_of(credentials->token);
  if (const auto* key = keys.find(digest)) return key;
  return unauthorized("Incorrect API key provided.");
}

namespace {

std::optional<refusal> check_model(const client& key, int group, std::string_view model) {
  if (key.may_use(group)) return std::nullopt;
  return refusal{.status = bhttp::status::forbidden,
                 .reason = "model_not_allowed",
                 .message = "This API key may not use the model '" + std::string(model) + "'.",
                 .type = "invalid_request_error",
                 .code = "model_not_allowed",
                 .retry_after = std::nullopt};
}

std::optional<refusal> check_quota(const client& key, rate_limit::clock::time_point now) {
  const auto& limits = key.settings;
  if (limits.tpm) {
    if (auto wait = key.quota->tokens.empty_for(now, *limits.tpm)) {
      return over_limit("tokens per min (TPM)", *limits.tpm, "tokens", *wait);
    }
  }
  if (limits.rpm) {
    if (auto wait = key.quota->requests.take(now, *limits.rpm)) {
      return over_limit("requests per min (RPM)", *limits.rpm, "requests", *wait);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<refusal> admit(const client& key, http::request& req, api::request_fields& fields, int group,
                             rate_limit::clock::time_point now) {
  auto refused = check_model(key, group, *fields.model);
  if (!refused) refused = check_quota(key, now);
  if (refused) return refused;
  if (key.settings.tpm && fields.stream) {
    if (auto body = api::ask_for_usage(req.body(), fields)) req.replace_body(std::move(*body));
  }
  return std::nullopt;
}

void charge_tokens(const request_record& record, rate_limit::clock::time_point now) {
  if (!record.key || !record.key->settings.tpm) return;
  const auto used = record.prompt_tokens.value_or(0) + record.completion_tokens.value_or(0);
  if (used > 0) record.key->quota->tokens.charge(now, *record.key->settings.tpm, used);
}

}  // namespace llmd::proxy
