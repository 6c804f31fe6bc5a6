#include "tls.hpp"

#include <array>
#include <string_view>

#include "detail.hpp"
#include "tls_files.hpp"

namespace llmd::config::detail {

namespace {

constexpr std::array<std::string_view, 5> tls_keys = {"ca_file", "cert_file", "key_file", "server_name",
                                                      "insecure_skip_verify"};
constexpr std::array<std::string_view, 2> listen_tls_keys = {"cert", "key"};

using file_check = std::optional<std::string> (*)(const std::string&);

// A file that fails its check is reported and not taken.
std::optional<std::string> checked_file(reader& r, const field& at, std::string path, file_check check) {
  if (auto problem = check(path)) {
    r.report(at, std::move(*problem));
    return std::nullopt;
  }
  return path;
}

// "" is allowed and means the built-in default, so an entry can undo a `defaults` file.
std::optional<std::string> read_file_key(reader& r, const field* at, file_check check) {
  auto path = r.text(at);
  if (!path || path->empty()) return path;
  return checked_file(r, *at, std::move(*path), check);
}

std::optional<std::string> read_server_name(reader& r, const field* at) {
  auto name = r.text(at);
  if (name && !name->empty() && !is_host(*name)) {
    r.report(*at, "must be a host name or an IP address");
    return std::nullopt;
  }
  return name;
}

// The client certificate and its key in force in this map, checked where either is written.
void check_client_pair(reader& r, const members& m, const tls_settings& in_force) {
  const field* cert_at = m.get("cert_file");
  const field* key_at = m.get("key_file");
  if (!cert_at && !key_at) return;
  if (in_force.cert_file.empty() != in_force.key_file.empty()) {
    return r.report(cert_at ? *cert_at : *key_at, "cert_file and key_file must be set together");
  }
  if (in_force.cert_file.empty()) return;
  if (check_key_pair(in_force.cert_file, in_force.key_file) == key_pair::mismatched) {
    r.report(key_at ? *key_at : *cert_at, "the key in key_file does not match the certificate in cert_file");
  }
}

std::optional<std::string> required_file(reader& r, const members& m, const field& map, std::string_view key,
                                         file_check check) {
  const field* at = m.get(key);
  if (!at) {
    r.report(child_path(map.path, key), map.line, "is required");
    return std::nullopt;
  }
  auto path = r.non_empty_text(at);
  if (!path) return std::nullopt;
  return checked_file(r, *at, std::move(*path), check);
}

}  // namespace

std::optional<field> read_tls(reader& r, const field* at, tls_settings& out) {
  if (!at) return std::nullopt;
  const auto m = r.map(*at, tls_keys);
  if (!m) return std::nullopt;
  const auto problems_before = r.problem_count();
  if (auto path = read_file_key(r, m->get("ca_file"), certificate_file_problem)) out.ca_file = std::move(*path);
  if (auto path = read_file_key(r, m->get("cert_file"), certificate_file_problem)) out.cert_file = std::move(*path);
  if (auto path = read_file_key(r, m->get("key_file"), key_file_problem)) out.key_file = std::move(*path);
  // A file not taken leaves the inherited one in force: pairing that would only add noise.
  if (r.problem_count() == problems_before) check_client_pair(r, *m, out);
  if (auto name = read_server_name(r, m->get("server_name"))) out.server_name = std::move(*name);
  if (auto skip = r.boolean(m->get("insecure_skip_verify"))) out.insecure_skip_verify = *skip;
  const field* skip_at = m->get("insecure_skip_verify");
  return skip_at ? std::optional<field>(*skip_at) : std::nullopt;
}

std::optional<listen_tls_settings> read_listen_tls(reader& r, const field* at) {
  if (!at) return std::nullopt;
  const auto m = r.map(*at, listen_tls_keys);
  if (!m) return std::nullopt;
  auto cert = required_file(r, *m, *at, "cert", certificate_file_problem);
  auto key = required_file(r, *m, *at, "key", key_file_problem);
  if (!cert || !key) return std::nullopt;
  if (check_key_pair(*cert, *key) == key_pair::mismatched) {
    r.report(*m->get("key"), "the key does not match the certificate in cert");
    return std::nullopt;
  }
  return listen_tls_settings{.cert_file = std::move(*cert), .key_file = std::move(*key)};
}

}  // namespace llmd::config::detail
