// The `proxy` key of `defaults` and entries, and the proxy environment variables that apply
// where neither sets one (https_proxy, http_proxy, no_proxy, as curl reads them).
#pragma once

#include <optional>
#include <string>

#include "reader.hpp"

namespace llmd::config::detail {

// `proxy` as written: "" is direct, as is an unusable URL (then reported).
std::optional<proxy_settings> read_proxy(reader& r, const field& at);

// The environment's proxies, each variable read once and each problem with it reported once.
class environment_proxies {
 public:
  explicit environment_proxies(const env_lookup& env) : env_(env) {}

  // For an entry whose file sets no proxy: https_proxy, then HTTPS_PROXY for an https:// url
  // (http_proxy, then HTTP_PROXY for http://), unless no_proxy or NO_PROXY names its host.
  // nullopt: direct.
  std::optional<proxy_settings> proxy_for(reader& r, const upstream_url& url);

 private:
  struct variable {
    std::string name;
    std::string value;
  };
  std::optional<variable> first_set(std::string_view lower, std::string_view upper) const;
  std::optional<proxy_settings> look_up(reader& r, std::string_view lower, std::string_view upper);

  const env_lookup& env_;
  // Per scheme: nullopt until looked up, then the proxy or nullopt for direct.
  std::optional<std::optional<proxy_settings>> https_;
  std::optional<std::optional<proxy_settings>> http_;
};

}  // namespace llmd::config::detail
