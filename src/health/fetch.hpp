// One GET to a replica as its requests go (its Host, its headers and key; TLS, proxy and
// keep-alive through the worker's upstream pool), for a probe or a scrape.
#pragma once

#include <string>

#include "llmd/config/config.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::health {

// The request head of GET `path`, with `agent` as its User-Agent.
std::string get_head(const config::model_entry& entry, const std::string& path, std::string_view agent);

struct fetched {
  std::string error;  // "" when an answer came
  unsigned status = 0;
  std::string body;
};

// A pooled connection the server closed meanwhile is no answer from the server: the GET is then
// made again on a fresh one. A body past `body_limit` is an error.
awaitable<fetched> fetch(upstream::connection_pool& connections, const upstream::target& target,
                         const std::string& head, config::duration timeout, std::size_t body_limit);

}  // namespace llmd::health
