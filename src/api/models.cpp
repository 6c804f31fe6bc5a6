#include "llmd/api/models.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace llmd::api {

namespace {

nlohmann::json model_object(std::string_view id) {
  return {{"id", id}, {"object", "model"}, {"created", 0}, {"owned_by", "llm-d"}};
}

void add_once(std::vector<std::string>& ids, const std::string& id) {
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

}  // namespace

model_catalog::model_catalog(const config::config& cfg, const group_filter& shown) {
  const auto is_shown = [&](const std::string& group) { return !shown || shown(group); };
  const auto is_group = [&](const std::string& id) {
    return std::any_of(cfg.models.begin(), cfg.models.end(), [&](const auto& m) { return m.name == id; });
  };
  for (const auto& m : cfg.models) {
    if (is_shown(m.name)) add_once(ids_, m.name);
  }
  // An entry's `model` id resolves to the group of the first entry with that id, unless a group
  // has that name.
  for (const auto& m : cfg.models) {
    if (!m.model || is_group(*m.model)) continue;
    const auto first = std::find_if(cfg.models.begin(), cfg.models.end(), [&](const auto& e) { return e.model == m.model; });
    if (is_shown(first->name)) add_once(ids_, *m.model);
  }
  nlohmann::json data = nlohmann::json::array();
  for (const auto& id : ids_) data.push_back(model_object(id));
  list_json_ = nlohmann::json{{"object", "list"}, {"data", std::move(data)}}.dump();
}

std::optional<std::string> model_catalog::model_json(std::string_view id) const {
  if (std::find(ids_.begin(), ids_.end(), id) == ids_.end()) return std::nullopt;
  return model_object(id).dump();
}

}  // namespace llmd::api
