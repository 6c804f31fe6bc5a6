// How to reach each entry's server: its URL, the TLS context and name to verify, the proxy to
// tunnel through, and which keep-alive pool it shares with the entries that connect the same way
// (see pool_directory). Made from each config the process loads (so TLS files are read again on
// a reload), read by every worker.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "llmd/config/config.hpp"
#include "llmd/upstream/pool_directory.hpp"

namespace llmd::upstream {

struct target {
  const config::upstream_url* url = nullptr;
  const config::proxy_settings* proxy = nullptr;  // null: direct
  boost::asio::ssl::context* tls = nullptr;       // null: plain HTTP
  std::string server_name;                        // verified and sent as SNI (when a DNS name)
  pool_slot pool;                                 // its keep-alive pool
  const config::model_entry* entry = nullptr;
};

class targets {
 public:
  // nullopt and `error` set when a TLS context cannot be made (a file gone since the config was
  // read). Numbers the pools in `directory`, on the thread that builds configs.
  static std::optional<targets> make(const config::config& cfg, pool_directory& directory, std::string& error);

  // The target of one of the config's entries.
  const target& of(const config::model_entry& entry) const { return targets_[&entry - first_]; }
  // The numbers of the pools these targets connect through.
  std::vector<std::size_t> pools() const;

 private:
  const config::model_entry* first_ = nullptr;
  std::vector<target> targets_;
  std::vector<std::unique_ptr<boost::asio::ssl::context>> contexts_;  // one per distinct tls settings
};

}  // namespace llmd::upstream
