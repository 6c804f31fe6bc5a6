// parse(): `tls` in `defaults` and on entries, its warnings, and the top-level `listen_tls`.
#include <gtest/gtest.h>

#include "pem_files.hpp"
#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::env_map;
using testing::lines;
using testing::messages;
using testing::parse_with;
using testing::pem_files;
using testing::with_models;

// One https entry with `keys` (indented as entry keys); the entry starts on line 2, `keys` on line 4.
std::string https_entry(std::string_view keys) {
  return "models:\n  - name: a\n    endpoint: https://h\n" + std::string(keys);
}

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

// The TLS warnings only: these small files also get chain warnings (a lone replica), which are
// redundancy_test's subject.
std::vector<std::string> warnings(const parse_result& result) {
  std::vector<std::string> out;
  for (const auto& w : result.warnings) {
    if (w.message.find("TLS verification") != std::string::npos) out.push_back(w.to_string());
  }
  return out;
}

TEST(TlsParse, DefaultsVerifyAgainstTheSystemStore) {
  const auto result = parse_with(https_entry(""));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->models[0].tls, tls_settings{});
  EXPECT_EQ(result.value->defaults.tls, tls_settings{});
  EXPECT_FALSE(result.value->listen_tls);
  EXPECT_EQ(warnings(result), lines{});
}

TEST(TlsParse, EveryKeySet) {
  const pem_files pem;
  const auto result = parse_with(https_entry("    tls:\n      ca_file: " + quoted(pem.cert()) + "\n      cert_file: " +
                                             quoted(pem.cert()) + "\n      key_file: " + quoted(pem.key()) +
                                             "\n      server_name: llm.internal\n      insecure_skip_verify: false\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->models[0].tls, (tls_settings{.ca_file = pem.cert(),
                                                       .cert_file = pem.cert(),
                                                       .key_file = pem.key(),
                                                       .server_name = "llm.internal",
                                                       .insecure_skip_verify = false}));
}

TEST(TlsParse, EntryOverridesDefaultsKeyByKey) {
  const pem_files pem;
  const auto result = parse_with("defaults:\n  tls:\n    ca_file: " + quoted(pem.cert()) +
                                 "\n    server_name: shared.internal\nmodels:\n"
                                 "  - name: a\n    endpoint: https://h:1\n    tls: {server_name: a.internal}\n"
                                 "  - name: b\n    endpoint: https://h:2\n"
                                 "  - name: c\n    endpoint: https://h:3\n    tls: {ca_file: \"\"}\n");
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& m = result.value->models;
  EXPECT_EQ(m[0].tls.ca_file, pem.cert());
  EXPECT_EQ(m[0].tls.server_name, "a.internal");
  EXPECT_EQ(m[1].tls.ca_file, pem.cert());
  EXPECT_EQ(m[1].tls.server_name, "shared.internal");
  EXPECT_EQ(m[2].tls.ca_file, "");  // back to the system store
  EXPECT_EQ(m[2].tls.server_name, "shared.internal");
}

TEST(TlsParse, PathsExpandEnvironmentVariables) {
  const pem_files pem;
  const auto result =
      parse_with(https_entry("    tls: {ca_file: \"${CERTS}/cert.pem\"}\n"), env_map{{"CERTS", pem.dir()}});
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->models[0].tls.ca_file, pem.dir() + "/cert.pem");
}

TEST(TlsParse, UnknownKeysAndWrongTypes) {
  EXPECT_EQ(messages(parse_with(https_entry("    tls:\n      ca: x\n"))),
            lines{"models[0].tls.ca: unknown key (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  tls: {verify: false}\n"))),
            lines{"defaults.tls.verify: unknown key (line 5)"});
  EXPECT_EQ(messages(parse_with(https_entry("    tls: true\n"))), lines{"models[0].tls: must be a map (line 4)"});
  EXPECT_EQ(messages(parse_with(https_entry("    tls: {ca_file: [a]}\n"))),
            lines{"models[0].tls.ca_file: must be a string (line 4)"});
}

TEST(TlsParse, CaFileMustHoldACertificate) {
  const pem_files pem;
  const auto problem_with = [](const std::string& path) {
    return messages(parse_with(https_entry("    tls:\n      ca_file: " + quoted(path) + "\n")));
  };
  EXPECT_EQ(problem_with(pem.missing()),
            lines{"models[0].tls.ca_file: cannot read " + pem.missing() + ": No such file or directory (line 5)"});
  EXPECT_EQ(problem_with(pem.dir()),
            lines{"models[0].tls.ca_file: cannot read " + pem.dir() + ": Is a directory (line 5)"});
  EXPECT_EQ(problem_with(pem.not_pem()),
            lines{"models[0].tls.ca_file: " + pem.not_pem() + " holds no PEM certificate (line 5)"});
  EXPECT_EQ(problem_with(pem.key()),
            lines{"models[0].tls.ca_file: " + pem.key() + " holds no PEM certificate (line 5)"});
}

TEST(TlsParse, ClientCertificateAndKeyMustLoad) {
  const pem_files pem;
  EXPECT_EQ(messages(parse_with(https_entry("    tls:\n      cert_file: " + quoted(pem.not_pem()) +
                                            "\n      key_file: " + quoted(pem.cert()) + "\n"))),
            (lines{"models[0].tls.cert_file: " + pem.not_pem() + " holds no PEM certificate (line 5)",
                   "models[0].tls.key_file: " + pem.cert() + " holds no unencrypted PEM private key (line 6)"}));
  EXPECT_EQ(messages(parse_with(https_entry("    tls:\n      cert_file: " + quoted(pem.cert()) +
                                            "\n      key_file: " + quoted(pem.missing()) + "\n"))),
            lines{"models[0].tls.key_file: cannot read " + pem.missing() + ": No such file or directory (line 6)"});
}

TEST(TlsParse, CertificateAndKeyGoTogether) {
  const pem_files pem;
  EXPECT_EQ(messages(parse_with(https_entry("    tls:\n      cert_file: " + quoted(pem.cert()) + "\n"))),
            lines{"models[0].tls.cert_file: cert_file and key_file must be set together (line 5)"});
  EXPECT_EQ(messages(parse_with(https_entry("    tls:\n      key_file: " + quoted(pem.key()) + "\n"))),
            lines{"models[0].tls.key_file: cert_file and key_file must be set together (line 5)"});
  EXPECT_EQ(messages(parse_with(with_models("defaults:\n  tls:\n    key_file: " + quoted(pem.key()) + "\n"))),
            lines{"defaults.tls.key_file: cert_file and key_file must be set together (line 6)"});
}

TEST(TlsParse, KeyMustMatchItsCertificate) {
  const pem_files pem;
  EXPECT_EQ(messages(parse_with(https_entry("    tls:\n      cert_file: " + quoted(pem.cert()) +
                                            "\n      key_file: " + quoted(pem.other_key()) + "\n"))),
            lines{"models[0].tls.key_file: the key in key_file does not match the certificate in cert_file (line 6)"});
}

TEST(TlsParse, PairIsCheckedWhereEitherHalfIsWritten) {
  const pem_files pem;
  const std::string defaults = "defaults:\n  tls:\n    cert_file: " + quoted(pem.cert()) +
                               "\n    key_file: " + quoted(pem.key()) +
                               "\nmodels:\n  - name: a\n    endpoint: https://h\n";
  EXPECT_EQ(messages(parse_with(defaults)), lines{});
  EXPECT_EQ(messages(parse_with(defaults + "    tls: {key_file: " + quoted(pem.other_key()) + "}\n")),
            lines{"models[0].tls.key_file: the key in key_file does not match the certificate in cert_file (line 8)"});
  EXPECT_EQ(messages(parse_with(defaults + "    tls: {key_file: \"\"}\n")),
            lines{"models[0].tls.key_file: cert_file and key_file must be set together (line 8)"});
  const auto neither = parse_with(defaults + "    tls: {key_file: \"\", cert_file: \"\"}\n");
  ASSERT_TRUE(neither.value) << messages(neither).front();
  EXPECT_EQ(neither.value->models[0].tls.cert_file, "");
}

TEST(TlsParse, AFileNotTakenIsNotAlsoAPairProblem) {
  const pem_files pem;
  EXPECT_EQ(messages(parse_with(https_entry("    tls:\n      cert_file: " + quoted(pem.missing()) +
                                            "\n      key_file: " + quoted(pem.key()) + "\n"))),
            lines{"models[0].tls.cert_file: cannot read " + pem.missing() + ": No such file or directory (line 5)"});
}

TEST(TlsParse, ServerName) {
  for (const char* name : {"llm.internal", "10.0.0.7", "::1", "gpu_7"}) {
    const auto result = parse_with(https_entry("    tls: {server_name: \"" + std::string(name) + "\"}\n"));
    ASSERT_TRUE(result.value) << name << ": " << messages(result).front();
    EXPECT_EQ(result.value->models[0].tls.server_name, name);
  }
  for (const char* name : {"bad name", "h:443", "[::1]", "https://h"}) {
    EXPECT_EQ(messages(parse_with(https_entry("    tls: {server_name: \"" + std::string(name) + "\"}\n"))),
              lines{"models[0].tls.server_name: must be a host name or an IP address (line 4)"})
        << name;
  }
}

TEST(TlsParse, InsecureSkipVerifyIsABoolean) {
  for (const char* value : {"yes", "1", "on", "\"\""}) {
    EXPECT_EQ(messages(parse_with(https_entry("    tls: {insecure_skip_verify: " + std::string(value) + "}\n"))),
              lines{"models[0].tls.insecure_skip_verify: must be true or false (line 4)"})
        << value;
  }
  const auto result = parse_with(https_entry("    tls: {insecure_skip_verify: true}\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_TRUE(result.value->models[0].tls.insecure_skip_verify);
}

TEST(TlsParse, TlsOnAnHttpEntryIsAnError) {
  EXPECT_EQ(messages(parse_with("models:\n  - name: a\n    endpoint: http://h\n    tls: {server_name: x}\n")),
            lines{"models[0].tls: tls applies only to https:// endpoints (line 4)"});
  const auto from_defaults =
      parse_with(with_models("defaults:\n  tls: {server_name: x, insecure_skip_verify: true}\n"));
  ASSERT_TRUE(from_defaults.value) << messages(from_defaults).front();
  EXPECT_EQ(warnings(from_defaults), lines{});  // unused by the http entry
}

TEST(TlsParse, SkippingVerificationIsWarnedAboutOnEachEntryItReaches) {
  const auto result = parse_with(R"(defaults:
  tls: {insecure_skip_verify: true}
models:
  - name: a
    endpoint: https://h:1
  - name: b
    endpoint: http://h:2
  - name: c
    endpoint: https://h:3
    tls:
      insecure_skip_verify: true
  - name: d
    endpoint: https://h:4
    tls: {insecure_skip_verify: false}
)");
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(
      warnings(result),
      (lines{"models[0]: TLS verification is off: the server's certificate is not checked, so a man in the middle "
             "can read prompts and API keys (tls.insecure_skip_verify from defaults) (line 4)",
             "models[2].tls.insecure_skip_verify: TLS verification is off: the server's certificate is not "
             "checked, so a man in the middle can read prompts and API keys (line 11)"}));
}

TEST(TlsParse, WarningsAreKeptBesideProblems) {
  const auto result = parse_with(https_entry("    tls: {insecure_skip_verify: true}\n    weight: 0\n"));
  EXPECT_FALSE(result.value);
  EXPECT_EQ(messages(result), lines{"models[0].weight: must be a positive integer (line 5)"});
  EXPECT_EQ(result.warnings.size(), 1u);
}

// ---- listen_tls ----

TEST(ListenTlsParse, CertAndKey) {
  const pem_files pem;
  const auto result =
      parse_with(with_models("listen_tls:\n  cert: " + quoted(pem.cert()) + "\n  key: " + quoted(pem.key()) + "\n"));
  ASSERT_TRUE(result.value) << messages(result).front();
  ASSERT_TRUE(result.value->listen_tls);
  EXPECT_EQ(result.value->listen_tls->cert_file, pem.cert());
  EXPECT_EQ(result.value->listen_tls->key_file, pem.key());
}

TEST(ListenTlsParse, BothAreRequired) {
  const pem_files pem;
  EXPECT_EQ(messages(parse_with(with_models("listen_tls:\n  cert: " + quoted(pem.cert()) + "\n"))),
            lines{"listen_tls.key: is required (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("listen_tls: {}\n"))),
            (lines{"listen_tls.cert: is required (line 4)", "listen_tls.key: is required (line 4)"}));
  EXPECT_EQ(messages(parse_with(with_models("listen_tls: {cert: \"\", key: " + quoted(pem.key()) + "}\n"))),
            lines{"listen_tls.cert: must not be empty (line 4)"});
}

TEST(ListenTlsParse, FilesMustLoadAndMatch) {
  const pem_files pem;
  EXPECT_EQ(messages(parse_with(with_models("listen_tls:\n  cert: " + quoted(pem.not_pem()) +
                                            "\n  key: " + quoted(pem.missing()) + "\n"))),
            (lines{"listen_tls.cert: " + pem.not_pem() + " holds no PEM certificate (line 5)",
                   "listen_tls.key: cannot read " + pem.missing() + ": No such file or directory (line 6)"}));
  EXPECT_EQ(messages(parse_with(with_models("listen_tls:\n  cert: " + quoted(pem.cert()) +
                                            "\n  key: " + quoted(pem.other_key()) + "\n"))),
            lines{"listen_tls.key: the key does not match the certificate in cert (line 6)"});
}

TEST(ListenTlsParse, UnknownKeysAndWrongTypes) {
  EXPECT_EQ(messages(parse_with(with_models("listen_tls: on\n"))), lines{"listen_tls: must be a map (line 4)"});
  EXPECT_EQ(messages(parse_with(with_models("listen_tls: {cert_file: a, cert: \"\", key: \"\"}\n"))),
            (lines{"listen_tls.cert_file: unknown key (line 4)", "listen_tls.cert: must not be empty (line 4)",
                   "listen_tls.key: must not be empty (line 4)"}));
}

}  // namespace
}  // namespace llmd::config
