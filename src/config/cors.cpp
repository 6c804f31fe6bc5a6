#include <algorithm>
#include <array>

#include "read_cors.hpp"

namespace llmd::config {

namespace {

constexpr std::array<std::string_view, 2> cors_keys = {"allow_origins", "max_age"};

// An origin as a browser sends it: scheme "://" host, an optional port, no path.
bool is_origin(std::string_view text) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (!text.starts_with(scheme)) continue;
    const auto rest = text.substr(scheme.size());
    return !rest.empty() && rest.find_first_of("/?# \t") == std::string_view::npos;
  }
  return false;
}

}  // namespace

bool cors_settings::allows(std::string_view origin) const {
  return any_origin || std::find(origins.begin(), origins.end(), origin) != origins.end();
}

namespace detail {

std::optional<cors_settings> read_cors(reader& r, const field* at) {
  if (!at) return std::nullopt;
  const auto m = r.map(*at, cors_keys);
  if (!m) return std::nullopt;
  cors_settings out;
  if (auto age = r.positive_duration(m->get("max_age"))) out.max_age = *age;
  const field* origins = m->get("allow_origins");
  if (!origins) {
    r.report(*at, "needs allow_origins: a list of origins, or \"*\"");
    return std::nullopt;
  }
  if (origins->node.IsScalar()) {
    if (r.text(origins) != "*") r.report(*origins, "must be \"*\" or a list of origins");
    out.any_origin = true;
    return out;
  }
  if (!origins->node.IsSequence()) {
    r.report(*origins, "must be \"*\" or a list of origins");
    return std::nullopt;
  }
  for (const auto& item : items(*origins)) {
    auto origin = r.non_empty_text(&item);
    if (!origin) continue;
    if (is_origin(*origin)) {
      out.origins.push_back(std::move(*origin));
    } else {
      r.report(item, "must be an origin such as https://app.example.com (scheme, host, optional port; no path)");
    }
  }
  return out;
}

}  // namespace detail

}  // namespace llmd::config
