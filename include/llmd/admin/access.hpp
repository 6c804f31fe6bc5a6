// Who may use the admin surface (/admin/*, /metrics, the status page): everyone without an
// admin key; with one, a request presenting it as a bearer token or as the password of HTTP Basic
// auth (any user name), so a browser prompts for it. Pure: the routes ask, per request, with the
// key of the config in effect.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace llmd::admin {

// /metrics, / and /status (the status page) and everything under /admin/.
bool is_admin_path(std::string_view path);

enum class access {
  granted,
  no_credentials,     // no Authorization header
  wrong_credentials,  // another key, another scheme, or Basic credentials that do not decode
};

// `authorization` is the request's Authorization header; `key` the configured admin.key.
access check_access(std::optional<std::string_view> authorization, const std::optional<std::string>& key);

}  // namespace llmd::admin
