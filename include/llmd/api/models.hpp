// GET /v1/models: the pool's model ids in OpenAI's list format, built once per config.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "llmd/config/config.hpp"

namespace llmd::api {

class model_catalog {
 public:
  explicit model_catalog(const config::config& cfg);

  // {"object":"list","data":[{"id","object":"model","created":0,"owned_by":"llm-d"},...]}: every
  // group name, then every entry `model` id not already listed.
  const std::string& list_json() const { return list_json_; }

  // One model object, or nullopt when the id is not served.
  std::optional<std::string> model_json(std::string_view id) const;

 private:
  std::vector<std::string> ids_;
  std::string list_json_;
};

}  // namespace llmd::api
