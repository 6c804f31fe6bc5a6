// GET /v1/models: the pool's model ids in OpenAI's list format, built once per config.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "llmd/config/config.hpp"

namespace llmd::api {

class model_catalog {
 public:
  // Lists what resolves to a group `shown` accepts (by name); without it, everything.
  using group_filter = std::function<bool(const std::string& group)>;
  explicit model_catalog(const config::config& cfg, const group_filter& shown = {});

  // {"object":"list","data":[{"id","object":"model","created":0,"owned_by":"llm-d"},...]}: every
  // group name, then every entry `model` id not already listed (and not a group's name).
  const std::string& list_json() const { return list_json_; }

  // One model object, or nullopt when the id is not served.
  std::optional<std::string> model_json(std::string_view id) const;

 private:
  std::vector<std::string> ids_;
  std::string list_json_;
};

}  // namespace llmd::api
