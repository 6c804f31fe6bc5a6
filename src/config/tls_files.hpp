// Whether the PEM files a config names can serve their role, checked with OpenSSL at parse time
// so a bad path or a wrong key is a config problem, not a failed handshake at run time.
#pragma once

#include <optional>
#include <string>

namespace llmd::config::detail {

// Each gives why the file cannot serve, as a problem message, or nullopt when it can.
// A CA file or a certificate chain: at least one PEM certificate (a chain's first is its leaf).
std::optional<std::string> certificate_file_problem(const std::string& path);
// An unencrypted PEM private key: llm-d has no way to ask for a passphrase.
std::optional<std::string> key_file_problem(const std::string& path);

enum class key_pair { matches, mismatched, unusable };
// `unusable` when either file does not load: the functions above say why.
key_pair check_key_pair(const std::string& cert_path, const std::string& key_path);

}  // namespace llmd::config::detail
