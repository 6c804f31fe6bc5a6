// Fallback chains: for each group, the ordered list of groups a request for it may be tried on.
#pragma once

#include <string>
#include <vector>

#include "llmd/config/config.hpp"

namespace llmd::config {

// The distinct group names in order of first appearance in the file.
std::vector<std::string> group_names(const std::vector<model_entry>& models);

// chains[i] is the chain of group i (indices into group_names): the group itself, then its
// `fallbacks` followed transitively, each group once; where no entry of the file declares
// `fallbacks`, the groups listed after it in file order.
std::vector<std::vector<int>> build_chains(const std::vector<model_entry>& models);

}  // namespace llmd::config
