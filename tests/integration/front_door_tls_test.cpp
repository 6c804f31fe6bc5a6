// listen_tls: llm-d's own listener speaks HTTPS, to the official openai client as to any other,
// and a client that fails or stalls its handshake costs nobody else anything.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/certs.hpp"
#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const test_pki& pki() { return test_pki::get(); }

std::string tls_front(const mock& m, const std::string& limits = "") {
  return "listen_tls:\n  cert: " + pki().server_cert + "\n  key: " + pki().server_key + "\n" + limits + "models:\n" +
         model_entry("m", m);
}

tls_options trusting() { return {.ca_file = pki().ca_cert}; }

TEST(front_door_tls, the_openai_client_trusting_the_ca_works_unchanged_plain_and_streamed) {
  mock m("local", {"--tokens", "4", "--token-interval", "5ms"});
  gateway llmd(tls_front(m));
  const auto r = run("/usr/bin/env",
                     {"node", LLMD_SOURCE_DIR "/tests/e2e/openai_chat.mjs",
                      "https://localhost:" + std::to_string(llmd.port()) + "/v1", "m"},
                     {"NODE_EXTRA_CA_CERTS=" + pki().ca_cert});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto got = json::parse(r.output.substr(r.output.rfind('{')));
  EXPECT_EQ(got["content"], "[local] t1 t2 t3 t4");
  // The mock's deltas carry the space after each token.
  EXPECT_EQ(got["streamed"], "[local] t1 t2 t3 t4 ");
  EXPECT_GE(got["chunks"].get<int>(), 4);
  EXPECT_EQ(m.stats()["requests"], 2);
}

TEST(front_door_tls, it_speaks_only_https) {
  mock m("local");
  gateway llmd(tls_front(m));
  const auto over_tls = call(llmd.port(), trusting(), "POST", "/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(over_tls.status, 200u);
  connection plain(llmd.port(), 5s);
  plain.send("POST", "/v1/chat/completions", chat_body("m"));
  // Plain HTTP is not a TLS ClientHello: the connection is closed without an answer.
  EXPECT_EQ(plain.read_until_close(), "");
  EXPECT_EQ(m.stats()["requests"], 1);
}

TEST(front_door_tls, a_stalled_handshake_is_closed_at_the_header_timeout_and_holds_up_no_one) {
  mock m("local");
  gateway llmd(tls_front(m, "limits:\n  client_header_timeout: 1s\n"));
  connection stalled(llmd.port(), 10s);  // plain TCP: it never sends its ClientHello
  // Meanwhile others are served at once.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(call(llmd.port(), trusting(), "POST", "/v1/chat/completions", chat_body("m")).status, 200u);
  }
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(stalled.read_until_close(), "");
  // Closed by llm-d at its timeout, well before the harness's own 10 s.
  EXPECT_LT(std::chrono::steady_clock::now() - before, 8s);
}

TEST(front_door_tls, a_client_that_does_not_trust_the_certificate_fails_alone) {
  mock m("local");
  gateway llmd(tls_front(m));
  tls_options untrusting{.ca_file = pki().untrusted_ca_cert};
  EXPECT_THROW(call(llmd.port(), untrusting, "POST", "/v1/chat/completions", chat_body("m")), std::runtime_error);
  EXPECT_EQ(call(llmd.port(), trusting(), "POST", "/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_EQ(call(llmd.port(), trusting(), "GET", "/health").status, 200u);
}

TEST(front_door_tls, the_admin_listener_speaks_https_too) {
  mock m("local");
  gateway llmd("admin:\n  listen: 127.0.0.1:0\n" + tls_front(m));
  const auto admin_port = llmd.admin_port();
  EXPECT_EQ(call(admin_port, trusting(), "GET", "/admin/backends").status, 200u);
  connection plain(admin_port, 5s);
  plain.send("GET", "/admin/backends");
  EXPECT_EQ(plain.read_until_close(), "");
}

}  // namespace
}  // namespace llmd::test
