// PEM files made at test time, so no key is ever committed: a self-signed certificate with its
// key, a key of another pair, and files that hold no PEM at all, in a directory removed at the end.
#pragma once

#include <string>

namespace llmd::config::testing {

class pem_files {
 public:
  pem_files();
  ~pem_files();
  pem_files(const pem_files&) = delete;
  pem_files& operator=(const pem_files&) = delete;

  const std::string& cert() const { return cert_; }            // self-signed, also usable as a CA file
  const std::string& key() const { return key_; }              // cert()'s key
  const std::string& other_key() const { return other_key_; }  // matches no certificate here
  const std::string& not_pem() const { return not_pem_; }      // text without a PEM block
  const std::string& missing() const { return missing_; }      // a path with no file
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string cert_;
  std::string key_;
  std::string other_key_;
  std::string not_pem_;
  std::string missing_;
};

}  // namespace llmd::config::testing
