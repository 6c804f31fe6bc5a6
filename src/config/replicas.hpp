// Checks that look at several entries at once: replica ids and endpoints that must not repeat, and
// fallback chains too thin to survive a failure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reader.hpp"

namespace llmd::config::detail {

// An entry's place in the file, kept beside it for problems that name two entries.
struct entry_place {
  std::string path;             // "models[3]"
  int line = 0;
  std::optional<field> id_at;   // the entry's `id`, when written
};

// Sets out.id: `id` as written (when valid), else the id derived from the entry's name and
// endpoint, reported when it is not a valid id. Leaves it empty when name or endpoint is unusable.
void read_replica_id(reader& r, const field* id_at, const field& entry, model_entry& out);

// Two entries of one group with one endpoint, and two entries with one id, are problems.
// `places` runs parallel to `models`.
void check_replicas(reader& r, const std::vector<model_entry>& models, const std::vector<entry_place>& places);

// Warnings, for a file without problems: a group of one replica with no fallback after it, and a
// fallback with fewer slots (the sum of its replicas' max_concurrent) than a group it backs up.
void warn_about_chains(reader& r, const std::vector<model_entry>& models, const std::vector<entry_place>& places);

}  // namespace llmd::config::detail
