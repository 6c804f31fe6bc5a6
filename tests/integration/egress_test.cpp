// The way out to upstream servers: through a real CONNECT proxy (tinyproxy), set in the config
// or by the environment, and DNS names whose first address refuses.
#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "harness/certs.hpp"
#include "harness/fixtures.hpp"
#include "harness/tinyproxy.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const test_pki& pki() { return test_pki::get(); }

response chat(const gateway& llmd, const std::string& model = "m") {
  return llmd.post("/v1/chat/completions", chat_body(model));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string connect_line(const std::string& host, const mock& m) {
  return "CONNECT " + host + ":" + std::to_string(m.port()) + " HTTP/1.1";
}

TEST(egress, an_https_entry_tunnels_through_the_proxy_it_names) {
  tinyproxy proxy;
  mock m("cloud", pki().serving_localhost());
  gateway llmd("workers: 1\nmodels:\n" + model_entry("m", m, "    proxy: " + proxy.url() + "\n    tls:\n      ca_file: " +
                                                                  pki().ca_cert + "\n"));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(chat(llmd).status, 200u) << llmd.proc().log();
  EXPECT_TRUE(contains(proxy.log(), connect_line("localhost", m))) << proxy.log();
  // The tunnel is a pooled connection like any other: TLS end to end, and kept.
  EXPECT_EQ(m.requests()[0]["tls"]["sni"], "localhost");
  // llm-d's one, requests()'s above and this call's own.
  EXPECT_EQ(m.stats()["tls"]["handshakes"], 3);
}

TEST(egress, a_proxy_that_asks_for_credentials_gets_them_from_the_url_and_they_stay_secret) {
  tinyproxy proxy("llmd", "proxy-secret");
  mock m("local");
  const auto with_credentials = "http://llmd:proxy-secret@127.0.0.1:" + std::to_string(proxy.port());
  gateway llmd("models:\n" + model_entry("m", m, "    proxy: " + with_credentials + "\n"));
  ASSERT_EQ(chat(llmd).status, 200u) << llmd.proc().log();
  EXPECT_TRUE(contains(proxy.log(), connect_line("127.0.0.1", m))) << proxy.log();
  const auto backends = llmd.get("/admin/backends").body;
  EXPECT_FALSE(contains(backends, "proxy-secret")) << backends;
  EXPECT_TRUE(contains(backends, proxy.url())) << backends;
  EXPECT_FALSE(contains(llmd.proc().log(), "proxy-secret"));
}

TEST(egress, a_proxy_refusing_the_tunnel_is_a_backend_failure_and_the_request_falls_back) {
  tinyproxy proxy("llmd", "proxy-secret");
  mock unreachable("unreachable");
  mock backup("backup");
  gateway llmd("models:\n" + model_entry("m", unreachable, "    proxy: " + proxy.url() +
                                                               "\n    retries: 0\n    fallbacks: [backup]\n") +
               model_entry("backup", backup));
  const auto r = chat(llmd);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("backup", backup));
  EXPECT_EQ(unreachable.stats()["requests"], 0);
  EXPECT_TRUE(eventually([&] { return contains(llmd.proc().log(), "the proxy refused CONNECT"); }, 5s, "the reason"))
      << llmd.proc().log();
}

TEST(egress, a_dead_proxy_is_a_backend_failure_and_the_request_falls_back) {
  refusing_port dead;
  mock m("local");
  mock backup("backup");
  gateway llmd("models:\n" + model_entry("m", m, "    proxy: http://127.0.0.1:" + std::to_string(dead.port()) +
                                                     "\n    retries: 0\n    fallbacks: [backup]\n") +
               model_entry("backup", backup));
  const auto r = chat(llmd);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("x-llmd-backend"), replica_id("backup", backup));
  EXPECT_EQ(m.stats()["requests"], 0);
  EXPECT_TRUE(eventually([&] { return contains(llmd.proc().log(), "connection failed: to the proxy"); }, 5s,
                         "the reason"))
      << llmd.proc().log();
}

TEST(egress, https_proxy_from_the_environment_applies_except_to_hosts_no_proxy_names) {
  tinyproxy proxy;
  mock far("far", pki().serving_localhost());
  mock near("near", pki().serving_localhost());
  const std::string tls = "    tls:\n      ca_file: " + pki().ca_cert + "\n";
  gateway llmd("models:\n" + model_entry("far", far, tls) + "  - name: near\n    endpoint: https://127.0.0.1:" +
                   std::to_string(near.port()) + "/v1\n" + tls,
               {}, {"HTTPS_PROXY=" + proxy.url(), "NO_PROXY=example.com, 127.0.0.1"});
  ASSERT_EQ(chat(llmd, "far").status, 200u) << llmd.proc().log();
  ASSERT_EQ(chat(llmd, "near").status, 200u) << llmd.proc().log();
  EXPECT_TRUE(contains(proxy.log(), connect_line("localhost", far))) << proxy.log();
  EXPECT_FALSE(contains(proxy.log(), std::to_string(near.port()))) << proxy.log();
}

std::vector<std::string> hosts_file(const std::string& path) {
  // In a sanitizer build ASan must otherwise be the first library loaded, before the preload.
  const char* asan = std::getenv("ASAN_OPTIONS");
  return {"LD_PRELOAD=libnss_wrapper.so", "NSS_WRAPPER_HOSTS=" + path, "NSS_WRAPPER_PASSWD=/etc/passwd",
          "NSS_WRAPPER_GROUP=/etc/group",
          "ASAN_OPTIONS=" + std::string(asan ? std::string(asan) + ":" : "") + "verify_asan_link_order=0"};
}

// The kernel's own resolver is what llm-d uses; nss_wrapper gives the llm-d process a hosts
// file of the test's, so a name can have a first address that refuses. IPv4 loopback addresses
// rather than ::1 then 127.0.0.1, which getaddrinfo drops ::1 from on hosts without IPv6.
TEST(dns, a_name_whose_first_address_refuses_is_served_through_the_next) {
  mock m("local");  // on 127.0.0.1 only; nothing listens on 127.0.0.2
  temp_dir dir;
  const auto hosts = dir.write("hosts", "127.0.0.2 twice.test\n127.0.0.1 twice.test\n");
  gateway llmd("models:\n  - name: m\n    endpoint: http://twice.test:" + std::to_string(m.port()) + "/v1\n", {},
               hosts_file(hosts));
  const auto r = chat(llmd);
  ASSERT_EQ(r.status, 200u) << r.body << llmd.proc().log();
  EXPECT_EQ(r.header("x-llmd-attempts"), "1");
  const auto seen = m.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["headers"]["host"], "twice.test:" + std::to_string(m.port()));
}

// The other half of the proof: the order is the file's, so the address above was tried first.
TEST(dns, the_first_address_serves_when_it_answers) {
  mock second("second");
  mock first("first", {"--listen", "127.0.0.2:" + std::to_string(second.port())});
  temp_dir dir;
  const auto hosts = dir.write("hosts", "127.0.0.2 twice.test\n127.0.0.1 twice.test\n");
  gateway llmd("models:\n  - name: m\n    endpoint: http://twice.test:" + std::to_string(second.port()) + "/v1\n",
               {}, hosts_file(hosts));
  const auto r = chat(llmd);
  ASSERT_EQ(r.status, 200u) << llmd.proc().log();
  // (first's own reports would be second's: the harness asks 127.0.0.1.)
  EXPECT_TRUE(json::parse(r.body)["choices"][0]["message"]["content"].get<std::string>().starts_with("[first]"));
  EXPECT_EQ(second.requests().size(), 0u);
}

}  // namespace
}  // namespace llmd::test
