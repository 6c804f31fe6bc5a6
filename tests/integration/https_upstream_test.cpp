// HTTPS upstreams: verification and its failures, SNI, pooling and resumption, streams, client
// certificates and probes over TLS, all against llm-d-mock speaking TLS with test certificates.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/certs.hpp"
#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const test_pki& pki() { return test_pki::get(); }

// An entry for `m` trusting the test CA, with more `tls` keys and entry keys when given.
std::string trusting_entry(const std::string& name, const mock& m, const std::string& tls_keys = "",
                           const std::string& extra = "") {
  return model_entry(name, m, "    tls:\n      ca_file: " + pki().ca_cert + "\n" + tls_keys + extra);
}

std::string https_endpoint(const std::string& host, const mock& m) {
  return "https://" + host + ":" + std::to_string(m.port()) + "/v1";
}

int handshakes(const mock& m) { return m.stats()["tls"]["handshakes"]; }

response chat(const gateway& llmd, bool stream = false) {
  return llmd.post("/v1/chat/completions", chat_body("m", stream));
}

TEST(https_upstream, a_trusted_chain_answers_and_sni_carries_the_host) {
  mock m("secure", pki().serving_localhost(), {"--tokens", "2"});
  gateway llmd("models:\n" + trusting_entry("m", m));
  const auto r = chat(llmd);
  ASSERT_EQ(r.status, 200u) << r.body << llmd.proc().log();
  EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], "[secure] t1 t2");
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["tls"]["sni"], "localhost");
  EXPECT_EQ(seen[0]["headers"]["host"], "localhost:" + std::to_string(m.port()));
}

TEST(https_upstream, twenty_sequential_requests_share_one_tls_connection) {
  mock m("secure", pki().serving_localhost(), {"--tokens", "1"});
  gateway llmd("workers: 1\nmodels:\n" + trusting_entry("m", m));
  const int before = handshakes(m);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(chat(llmd).status, 200u);
  // One handshake for llm-d's connection, and one for this very stats call.
  EXPECT_EQ(handshakes(m) - before, 2);
}

TEST(https_upstream, a_reopened_connection_resumes_its_tls_session) {
  mock m("secure", pki().serving_localhost(), {"--tokens", "1", "--max-requests-per-connection", "1"});
  gateway llmd("workers: 1\nmodels:\n" + trusting_entry("m", m));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(chat(llmd).status, 200u);
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0]["tls"]["resumed"], false);
  EXPECT_EQ(seen[1]["tls"]["resumed"], true);
  EXPECT_EQ(seen[2]["tls"]["resumed"], true);
}

TEST(https_upstream, pooled_tls_connections_the_server_dropped_cost_no_attempt_and_no_failure) {
  mock m("secure", pki().serving_localhost(), {"--tokens", "1"});
  gateway llmd("workers: 1\nmodels:\n" + trusting_entry("m", m));
  ASSERT_EQ(chat(llmd).status, 200u);
  m.restart();  // the server goes away and comes back: the pooled connection is dead
  for (int i = 0; i < 3; ++i) {
    const auto r = chat(llmd);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.header("x-llmd-attempts"), "1");
  }
  EXPECT_EQ(llmd.replica(replica_id("m", m))["consecutive_failures"], 0);
  EXPECT_EQ(llmd.replica(replica_id("m", m))["state"], "healthy");
  EXPECT_EQ(llmd.proc().log().find("failed"), std::string::npos) << llmd.proc().log();
}

TEST(https_upstream, a_stream_over_tls_arrives_chunk_by_chunk_as_generated) {
  mock m("secure", pki().serving_localhost(), {"--tokens", "10", "--token-interval", "100ms"});
  gateway llmd("models:\n" + trusting_entry("m", m));
  connection c(llmd.port());
  const auto sent = std::chrono::steady_clock::now();
  c.send("POST", "/v1/chat/completions", chat_body("m", true));
  ASSERT_EQ(c.read_header().status, 200u);
  std::vector<piece> pieces;
  while (auto p = c.read_piece()) pieces.push_back(*p);
  ASSERT_GE(pieces.size(), 10u);
  // Ordering, not speed: the first token came while most of the stream was still to come.
  EXPECT_LT((pieces.front().at - sent) * 4, pieces.back().at - sent);
  std::string all;
  for (const auto& p : pieces) all += p.data;
  EXPECT_NE(all.find("data: [DONE]"), std::string::npos);
}

TEST(https_upstream, an_upstream_dying_mid_stream_gives_whole_events_an_error_event_and_a_clean_end) {
  mock m("secure", pki().serving_localhost(), {"--tokens", "10", "--break-after", "3"});
  gateway llmd("models:\n" + trusting_entry("m", m));
  connection c(llmd.port());
  c.send("POST", "/v1/chat/completions", chat_body("m", true));
  ASSERT_EQ(c.read_header().status, 200u);
  std::string all;
  while (auto p = c.read_piece()) all += p->data;  // throws on a body cut short
  EXPECT_EQ(all.find("[DONE]"), std::string::npos);
  const auto last = all.rfind("data: {\"error\"");
  ASSERT_NE(last, std::string::npos) << all;
  EXPECT_EQ(json::parse(all.substr(last + 6))["error"]["code"], "upstream_broken");
  // Every event before the error is whole: each is a complete JSON chunk.
  for (std::size_t at = 0; (at = all.find("data: {\"id\"", at)) != std::string::npos; ++at) {
    const auto end = all.find("\n\n", at);
    ASSERT_NE(end, std::string::npos);
    EXPECT_FALSE(json::parse(all.substr(at + 6, end - at - 6), nullptr, false).is_discarded());
  }
  // The client's connection is still good for another request.
  m.configure({{"break_after", nullptr}});
  c.send("POST", "/v1/chat/completions", chat_body("m"));
  EXPECT_EQ(c.read_response().status, 200u);
}

// A group `m` served by `bad` (which must fail TLS) falling back to a plain group: the request
// is answered by the fallback, the replica is ejected at its first failure, and the log says why.
// The entry's endpoint varies, so it is given an id.
void expect_fallback_for(const mock& bad, const std::string& endpoint, const std::string& reason) {
  mock good("good");
  gateway llmd("health:\n  failures_to_eject: 1\nmodels:\n  - name: m\n    endpoint: " + endpoint +
               "\n    id: bad-m\n    retries: 0\n    fallbacks: [backup]\n    tls:\n      ca_file: " + pki().ca_cert + "\n" +
               model_entry("backup", good));
  const auto r = chat(llmd);
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("backup", good));
  EXPECT_EQ(bad.requests().size(), 0u);
  EXPECT_EQ(llmd.replica("bad-m")["state"], "ejected");
  EXPECT_TRUE(eventually([&] { return llmd.proc().log().find(reason) != std::string::npos; }, 5s, reason))
      << llmd.proc().log();
}

TEST(https_upstream, an_untrusted_chain_falls_back_and_is_logged_with_the_reason) {
  auto tls = pki().serving(pki().untrusted_cert, pki().untrusted_key);
  tls.control.ca_file = pki().untrusted_ca_cert;
  mock bad("bad", tls);
  expect_fallback_for(bad, bad.endpoint(), "TLS handshake failed: certificate refused: unable to get local issuer");
}

TEST(https_upstream, a_certificate_for_another_host_falls_back_and_is_logged_with_the_reason) {
  auto tls = pki().serving(pki().other_host_cert, pki().other_host_key);
  tls.control.server_name = "other.example";
  mock bad("bad", tls);
  expect_fallback_for(bad, bad.endpoint(), "certificate refused: hostname mismatch");
}

TEST(https_upstream, an_expired_certificate_falls_back_and_is_logged_with_the_reason) {
  auto tls = pki().serving(pki().expired_cert, pki().expired_key);
  tls.control.verify = false;
  mock bad("bad", tls);
  expect_fallback_for(bad, bad.endpoint(), "certificate refused: certificate has expired");
}

TEST(https_upstream, server_name_verifies_a_server_reached_by_ip) {
  auto tls = pki().serving(pki().other_host_cert, pki().other_host_key);
  tls.control.server_name = "other.example";
  mock m("named", tls);
  gateway llmd("models:\n  - name: m\n    endpoint: " + https_endpoint("127.0.0.1", m) + "\n    tls:\n      ca_file: " +
               pki().ca_cert + "\n      server_name: other.example\n");
  const auto r = chat(llmd);
  ASSERT_EQ(r.status, 200u) << r.body << llmd.proc().log();
  EXPECT_EQ(m.requests()[0]["tls"]["sni"], "other.example");
}

TEST(https_upstream, an_ip_san_verifies_a_server_reached_by_ip) {
  mock m("secure", pki().serving_localhost());
  gateway llmd("models:\n  - name: m\n    endpoint: " + https_endpoint("127.0.0.1", m) + "\n    tls:\n      ca_file: " +
               pki().ca_cert + "\n");
  const auto r = chat(llmd);
  ASSERT_EQ(r.status, 200u) << r.body << llmd.proc().log();
  // RFC 6066: no SNI for an address.
  EXPECT_EQ(m.requests()[0]["tls"]["sni"], "");
}

TEST(https_upstream, insecure_skip_verify_connects_to_an_untrusted_server_and_warns) {
  mock m("lab", pki().serving(pki().untrusted_cert, pki().untrusted_key));
  gateway llmd("models:\n" + model_entry("m", m, "    tls:\n      insecure_skip_verify: true\n"));
  EXPECT_EQ(chat(llmd).status, 200u);
  EXPECT_NE(llmd.proc().log().find("insecure_skip_verify"), std::string::npos) << llmd.proc().log();
}

TEST(https_upstream, a_server_requiring_a_client_certificate_refuses_llmd_without_one_and_serves_it_with_one) {
  auto tls = pki().serving_localhost();
  tls.client_ca_file = pki().client_ca_cert;
  mock m("mutual", tls);
  {
    gateway without("models:\n" + trusting_entry("m", m, "", "    retries: 0\n"));
    EXPECT_EQ(chat(without).status, 502u);
  }
  gateway with("models:\n" + trusting_entry("m", m, "      cert_file: " + pki().client_cert +
                                                         "\n      key_file: " + pki().client_key + "\n"));
  const auto r = chat(with);
  ASSERT_EQ(r.status, 200u) << r.body << with.proc().log();
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["tls"]["client_cn"], "llm-d-test-client");
}

TEST(https_upstream, probes_over_tls_eject_and_readmit) {
  mock a("a", pki().serving_localhost());
  mock b("b");
  const std::string check = "    health_check:\n      interval: 300ms\n      timeout: 250ms\n";
  gateway llmd("models:\n" + trusting_entry("m", a, "", check) + model_entry("m", b, check));
  a.configure({{"health_status", 503}});
  ASSERT_TRUE(eventually([&] { return llmd.replica(replica_id("m", a))["state"] == "probe_failing"; }, 5s,
                         "the probe ejecting the replica of a"));
  a.configure({{"health_status", 200}});
  ASSERT_TRUE(eventually([&] { return llmd.replica(replica_id("m", a))["state"] == "healthy"; }, 5s, "readmission"));
}

TEST(https_upstream, probes_carry_the_entrys_key_and_headers) {
  mock m("cloud", pki().serving_localhost());
  gateway llmd("models:\n" + trusting_entry("m", m, "",
                                            "    api_key: sk-probe-key\n    headers:\n      x-org: acme\n"
                                            "    health_check:\n      path: /v1/models\n      interval: 200ms\n"
                                            "      timeout: 150ms\n"));
  ASSERT_TRUE(eventually([&] { return !m.requests().empty(); }, 5s, "a probe"));
  const auto probe = m.requests()[0];
  EXPECT_EQ(probe["method"], "GET");
  EXPECT_EQ(probe["target"], "/v1/models");
  EXPECT_EQ(probe["headers"]["authorization"], "Bearer sk-probe-key");
  EXPECT_EQ(probe["headers"]["x-org"], "acme");
  EXPECT_EQ(probe["headers"]["host"], "localhost:" + std::to_string(m.port()));
}

TEST(https_upstream, an_azure_endpoint_gets_its_path_query_and_header_key_and_not_the_clients_token) {
  mock m("azure", pki().serving_localhost());
  gateway llmd("models:\n  - name: m\n    endpoint: https://localhost:" + std::to_string(m.port()) +
               "/openai/deployments/gpt4/chat/completions?api-version=2024-10-21\n"
               "    headers:\n      api-key: azure-secret\n    tls:\n      ca_file: " + pki().ca_cert + "\n");
  const auto r = llmd.post("/v1/chat/completions?trace=1", chat_body("m"), {{"Authorization", "Bearer client-token"}});
  ASSERT_EQ(r.status, 200u) << r.body << llmd.proc().log();
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["target"], "/openai/deployments/gpt4/chat/completions?api-version=2024-10-21&trace=1");
  EXPECT_EQ(seen[0]["headers"]["api-key"], "azure-secret");
  EXPECT_FALSE(seen[0]["headers"].contains("authorization")) << seen[0]["headers"];
}

TEST(https_upstream, a_gemini_endpoint_gets_its_api_root) {
  mock m("gemini", pki().serving_localhost());
  gateway llmd("models:\n  - name: m\n    endpoint: https://localhost:" + std::to_string(m.port()) +
               "/v1beta/openai\n    api_key: gemini-key\n    tls:\n      ca_file: " + pki().ca_cert + "\n");
  ASSERT_EQ(chat(llmd).status, 200u);
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["target"], "/v1beta/openai/chat/completions");
  EXPECT_EQ(seen[0]["headers"]["authorization"], "Bearer gemini-key");
}

}  // namespace
}  // namespace llmd::test
