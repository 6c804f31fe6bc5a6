// llm-d-mock over HTTPS: certificates and their verification, SNI, client certificates, session
// resumption and --max-requests-per-connection, seen by a real client and in the mock's reports.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/certs.hpp"
#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

tls_options trusting_the_test_ca() { return {.ca_file = test_pki::get().ca_cert}; }

tls_options with_client_cert(tls_options options) {
  options.cert_file = test_pki::get().client_cert;
  options.key_file = test_pki::get().client_key;
  return options;
}

// What `attempt` threw, or "" when it did not.
template <class Attempt>
std::string failure_of(Attempt attempt) {
  try {
    attempt();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

response chat(const mock& m, const tls_options& client) {
  return call(m.port(), client, "POST", "/v1/chat/completions", chat_body("m"));
}

testing::AssertionResult counts_failed_handshakes(const mock& m, int n) {
  return eventually([&] { return m.stats()["tls"]["failed_handshakes"] == n; }, 5s,
                    std::to_string(n) + " failed handshake(s) counted");
}

TEST(mock_tls, answers_a_chat_over_tls_and_reports_the_sni) {
  mock m("alpha", test_pki::get().serving_localhost(), {"--tokens", "3"});
  EXPECT_EQ(m.endpoint(), "https://localhost:" + std::to_string(m.port()) + "/v1/chat/completions");
  const auto r = chat(m, trusting_the_test_ca());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], "[alpha] t1 t2 t3");

  const auto logged = m.requests();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0]["tls"], json::parse(R"({"sni":"localhost","resumed":false,"version":"TLSv1.3","client_cn":""})"));
  // Three handshakes: the chat's, requests()'s and this query's own.
  EXPECT_EQ(m.stats()["tls"],
            json::parse(R"({"handshakes":3,"resumed":0,"failed_handshakes":0,"last_sni":"localhost"})"));
}

TEST(mock_tls, streams_a_chat_over_tls_as_the_tokens_are_made) {
  mock m("alpha", test_pki::get().serving_localhost(), {"--tokens", "3", "--token-interval", "50ms"});
  connection c(m.port(), trusting_the_test_ca());
  c.send("POST", "/v1/chat/completions", chat_body("m", true));
  const auto head = c.read_header();
  ASSERT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("content-type"), "text/event-stream");
  std::string all;
  std::optional<std::chrono::steady_clock::time_point> first_token, last_token;
  while (auto p = c.read_piece()) {
    all += p->data;
    if (p->data.find("\"t1 \"") != std::string::npos) first_token = p->at;
    if (p->data.find("\"t3 \"") != std::string::npos) last_token = p->at;
  }
  EXPECT_NE(all.find("data: [DONE]"), std::string::npos) << all;
  ASSERT_TRUE(first_token && last_token) << all;
  // Two intervals apart: each event left when it was made, not all at the end.
  EXPECT_GE(*last_token - *first_token, 80ms);
  // The stream ended cleanly, so the connection carries the next request.
  c.send("GET", "/v1/models");
  EXPECT_EQ(c.read_response().status, 200u);
}

TEST(mock_tls, sends_the_certificate_for_the_name_the_client_asked_for) {
  const auto& pki = test_pki::get();
  auto tls = pki.serving(pki.other_host_cert, pki.other_host_key);
  tls.control.server_name = "other.example";
  mock m("alpha", tls);
  EXPECT_EQ(chat(m, tls.control).status, 200u);
  EXPECT_EQ(m.requests()[0]["tls"]["sni"], "other.example");
  // That certificate is for other.example only.
  const auto failure = failure_of([&] { connection c(m.port(), trusting_the_test_ca()); });
  EXPECT_NE(failure.find("hostname mismatch"), std::string::npos) << failure;
}

TEST(mock_tls, counts_a_client_that_does_not_trust_it_and_keeps_serving_others) {
  const auto& pki = test_pki::get();
  auto tls = pki.serving(pki.untrusted_cert, pki.untrusted_key);
  tls.control.ca_file = pki.untrusted_ca_cert;
  mock m("alpha", tls);
  const auto failure = failure_of([&] { connection c(m.port(), trusting_the_test_ca()); });
  EXPECT_NE(failure.find("unable to get local issuer certificate"), std::string::npos) << failure;
  EXPECT_TRUE(counts_failed_handshakes(m, 1));
  EXPECT_EQ(chat(m, tls.control).status, 200u);
}

TEST(mock_tls, refuses_plain_http) {
  mock m("alpha", test_pki::get().serving_localhost());
  connection c(m.port());
  c.send("GET", "/mock/stats");
  EXPECT_ANY_THROW(c.read_response());
  EXPECT_TRUE(counts_failed_handshakes(m, 1));
}

TEST(mock_tls, a_client_refuses_an_expired_certificate) {
  const auto& pki = test_pki::get();
  auto tls = pki.serving(pki.expired_cert, pki.expired_key);
  tls.control.verify = false;
  mock m("alpha", tls);
  const auto failure = failure_of([&] { connection c(m.port(), trusting_the_test_ca()); });
  EXPECT_NE(failure.find("certificate has expired"), std::string::npos) << failure;
  // Only its dates are wrong: without verification the same client is served.
  auto lax = trusting_the_test_ca();
  lax.verify = false;
  EXPECT_EQ(chat(m, lax).status, 200u);
}

TEST(mock_tls, with_a_client_ca_serves_only_clients_with_a_certificate_it_signed) {
  const auto& pki = test_pki::get();
  auto tls = pki.serving_localhost();
  tls.client_ca_file = pki.client_ca_cert;
  mock m("alpha", tls);
  // TLS 1.3 ends the client's side of the handshake before the server checks its certificate,
  // so the refusal may come with the first read rather than the handshake.
  const auto without = failure_of([&] { chat(m, trusting_the_test_ca()); });
  EXPECT_NE(without.find("certificate required"), std::string::npos) << without;
  EXPECT_TRUE(counts_failed_handshakes(m, 1));
  auto foreign = trusting_the_test_ca();
  foreign.cert_file = pki.untrusted_cert;
  foreign.key_file = pki.untrusted_key;
  EXPECT_NE(failure_of([&] { chat(m, foreign); }), "");
  EXPECT_TRUE(counts_failed_handshakes(m, 2));

  EXPECT_EQ(chat(m, with_client_cert(trusting_the_test_ca())).status, 200u);
  const auto logged = m.requests();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0]["tls"]["client_cn"], "llm-d-test-client");
}

// Two connections with one session cache: the second resumes the first's session.
void expect_resumption(const mock& m, tls_options client, const std::string& version) {
  tls_session_cache cache;
  client.session_cache = &cache;
  EXPECT_EQ(chat(m, client).status, 200u);
  ASSERT_TRUE(cache.session) << "the first connection left no session to resume";
  EXPECT_EQ(chat(m, client).status, 200u);
  const auto logged = m.requests();
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0]["tls"]["resumed"], false);
  EXPECT_EQ(logged[1]["tls"]["resumed"], true);
  EXPECT_EQ(logged[1]["tls"]["version"], version);
  EXPECT_EQ(logged[1]["tls"]["sni"], "localhost");
  EXPECT_EQ(m.stats()["tls"]["resumed"], 1);
}

TEST(mock_tls, resumes_a_tls_1_3_session_the_client_kept) {
  mock m("alpha", test_pki::get().serving_localhost());
  expect_resumption(m, trusting_the_test_ca(), "TLSv1.3");
}

TEST(mock_tls, resumes_a_tls_1_2_session_the_client_kept) {
  mock m("alpha", test_pki::get().serving_localhost());
  auto client = trusting_the_test_ca();
  client.max_version = tls_version::tls1_2;
  expect_resumption(m, client, "TLSv1.2");
}

TEST(mock_tls, resumes_a_session_with_a_client_certificate_and_still_names_it) {
  const auto& pki = test_pki::get();
  auto tls = pki.serving_localhost();
  tls.client_ca_file = pki.client_ca_cert;
  for (const auto version : {tls_version::tls1_2, tls_version::tls1_3}) {
    mock m("alpha", tls);
    auto client = with_client_cert(trusting_the_test_ca());
    client.max_version = version;
    expect_resumption(m, client, version == tls_version::tls1_2 ? "TLSv1.2" : "TLSv1.3");
    EXPECT_EQ(m.requests()[1]["tls"]["client_cn"], "llm-d-test-client");
  }
}

// Two requests on one connection: the second answer says Connection: close and the mock closes.
void expect_closed_after_two(connection& c) {
  c.send("POST", "/v1/chat/completions", chat_body("m"));
  const auto first = c.read_response();
  EXPECT_EQ(first.status, 200u);
  EXPECT_FALSE(first.has("connection")) << first.header("connection");
  c.send("POST", "/v1/chat/completions", chat_body("m"));
  const auto second = c.read_response();
  EXPECT_EQ(second.status, 200u);
  EXPECT_EQ(second.header("connection"), "close");
  EXPECT_EQ(c.read_until_close(), "");
}

TEST(mock_tls, max_requests_per_connection_closes_after_the_nth_response) {
  mock m("alpha", {"--max-requests-per-connection", "2"});
  connection c(m.port());
  expect_closed_after_two(c);
  const auto logged = m.requests();
  ASSERT_EQ(logged.size(), 2u);
  // The log shows the request as the client sent it.
  EXPECT_FALSE(logged[1]["headers"].contains("connection"));
  EXPECT_EQ(logged[1]["tls"], nullptr);
}

TEST(mock_tls, a_client_made_to_reconnect_by_max_requests_resumes_its_session) {
  mock m("alpha", test_pki::get().serving_localhost(), {"--max-requests-per-connection", "2"});
  tls_session_cache cache;
  auto client = trusting_the_test_ca();
  client.session_cache = &cache;
  {
    connection c(m.port(), client);
    expect_closed_after_two(c);
  }
  EXPECT_EQ(chat(m, client).status, 200u);
  const auto logged = m.requests();
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged[1]["tls"]["resumed"], false);
  EXPECT_EQ(logged[2]["tls"]["resumed"], true);
}

TEST(mock_tls, reset_zeroes_the_tls_counters) {
  mock m("alpha", test_pki::get().serving_localhost());
  EXPECT_ANY_THROW(call(m.port(), "GET", "/mock/stats"));
  EXPECT_TRUE(counts_failed_handshakes(m, 1));
  // One connection for both, so no handshake comes after the reset.
  connection c(m.port(), *m.tls());
  c.send("POST", "/mock/reset");
  EXPECT_EQ(c.read_response().status, 200u);
  c.send("GET", "/mock/stats");
  EXPECT_EQ(json::parse(c.read_response().body)["tls"],
            json::parse(R"({"handshakes":0,"resumed":0,"failed_handshakes":0,"last_sni":""})"));
}

TEST(mock_tls, reports_zeros_and_no_tls_over_plain_http) {
  mock m("alpha");
  EXPECT_EQ(call(m.port(), "POST", "/v1/chat/completions", chat_body("m")).status, 200u);
  EXPECT_EQ(m.requests()[0]["tls"], nullptr);
  EXPECT_EQ(m.stats()["tls"], json::parse(R"({"handshakes":0,"resumed":0,"failed_handshakes":0,"last_sni":""})"));
}

TEST(mock_tls, refuses_a_key_that_does_not_match_its_certificate) {
  const auto& pki = test_pki::get();
  const auto r =
      run(mock_binary(), {"--listen", "127.0.0.1:0", "--tls-cert", pki.server_cert, "--tls-key", pki.unmatched_key});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--tls-key " + pki.unmatched_key), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("listening"), std::string::npos) << r.output;
}

TEST(mock_tls, needs_a_certificate_and_its_key_together) {
  const auto& pki = test_pki::get();
  const auto cert_only = run(mock_binary(), {"--tls-cert", pki.server_cert});
  EXPECT_EQ(cert_only.exit_code, 2);
  EXPECT_NE(cert_only.output.find("--tls-cert and --tls-key go together"), std::string::npos) << cert_only.output;
  const auto ca_only = run(mock_binary(), {"--tls-client-ca", pki.client_ca_cert});
  EXPECT_EQ(ca_only.exit_code, 2);
  EXPECT_NE(ca_only.output.find("--tls-client-ca needs"), std::string::npos) << ca_only.output;
}

}  // namespace
}  // namespace llmd::test
