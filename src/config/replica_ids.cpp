// Replica ids: what x-llmd-backend says, what /admin/backends lists, a metric label. An id depends
// on its entry alone (never on its position or its neighbours), so it stays the same while other
// entries come and go, across restarts and reloads.
#include <algorithm>
#include <string_view>

#include "detail.hpp"
#include "replicas.hpp"

namespace llmd::config {

namespace {

constexpr std::size_t max_id_length = 128;
constexpr std::string_view id_characters = "A-Z a-z 0-9 . _ : @ / # - [ ]";

// Safe in a header value and a metric label, and in a log line without quoting. Brackets are
// there for the IPv6 hosts of derived ids, so that any derived id can be pinned as `id`.
bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._:@/#-[]").find(c) != std::string_view::npos;
}

bool all_id_chars(std::string_view text) { return std::all_of(text.begin(), text.end(), is_id_char); }

bool is_ipv6(const upstream_url& url) { return url.host.find(':') != std::string::npos; }

// One server: the scheme, host (ignoring case, as DNS does), port, root and query all match.
bool same_endpoint(const upstream_url& a, const upstream_url& b) {
  return a.scheme == b.scheme && detail::iequals(a.host, b.host) && a.port == b.port && a.root == b.root &&
         a.query == b.query;
}

std::string where(const detail::entry_place& place) {
  return place.path + " (line " + std::to_string(place.line) + ")";
}

}  // namespace

std::string derived_replica_id(std::string_view name, const upstream_url& url) {
  std::string out(name);
  out += '@';
  out += is_ipv6(url) ? "[" + url.host + "]" : url.host;
  out += ':';
  out += url.port;
  if (url.root != "/v1") out += url.root;
  return out;
}

bool same_replica(const model_entry& a, const model_entry& b) {
  return !a.name.empty() && a.name == b.name && !a.url.host.empty() && same_endpoint(a.url, b.url);
}

bool is_replica_id(std::string_view id) {
  return !id.empty() && id.size() <= max_id_length && all_id_chars(id);
}

namespace detail {

void read_replica_id(reader& r, const field* id_at, const field& entry, model_entry& out) {
  if (id_at) {
    auto id = r.non_empty_text(id_at);
    if (!id) return;
    if (!is_replica_id(*id)) {
      return r.report(*id_at, "must be 1 to 128 characters among " + std::string(id_characters));
    }
    out.id = std::move(*id);
    return;
  }
  if (out.name.empty() || out.url.host.empty()) return;  // reported already
  auto id = derived_replica_id(out.name, out.url);
  const std::string derived = "the id derived from name and endpoint, \"" + id + "\", ";
  if (!all_id_chars(id)) return r.report(entry, derived + "may hold only " + std::string(id_characters) + ": set id");
  if (id.size() > max_id_length) return r.report(entry, derived + "is longer than 128 characters: set id");
  out.id = std::move(id);
}

void check_replicas(reader& r, const std::vector<model_entry>& models, const std::vector<entry_place>& places) {
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto& later = models[i];
    for (std::size_t j = 0; j < i; ++j) {
      const auto& earlier = models[j];
      if (same_replica(later, earlier)) {
        r.report(places[i].path, places[i].line,
                 "group \"" + later.name + "\" already has this endpoint at " + where(places[j]) +
                     ": list each replica once");
        break;  // its id repeats too, for the same reason
      }
      if (!later.id.empty() && later.id == earlier.id) {
        const auto& place = places[i];
        const std::string message = "id \"" + later.id + "\" is already that of " + where(places[j]) +
                                    ": set a different id on one of them";
        if (place.id_at) {
          r.report(*place.id_at, message);
        } else {
          r.report(place.path, place.line, message + " (derived from name and endpoint)");
        }
        break;
      }
    }
  }
}

}  // namespace detail

}  // namespace llmd::config
