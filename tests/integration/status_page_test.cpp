// GET / and /status: the status page is served with its headers, and headless Chromium, running
// the page's script against a live llm-d, renders every replica of the pool with its state and
// slots, and the queue; in front of a stand-in with a /metrics, the rates and TTFT quantiles.
// (tests/unit/admin/status_page_script_test.mjs covers the script's Prometheus arithmetic.)
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "harness/fixtures.hpp"

namespace llmd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* csp =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string page_source() {
  std::ifstream in(LLMD_SOURCE_DIR "/src/admin/status_page.html", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(status_page, get_serves_the_page_as_html_that_is_never_cached_and_may_only_call_home) {
  mock m("m");
  gateway llmd("models:\n" + model_entry("m", m));
  const auto source = page_source();
  ASSERT_FALSE(source.empty());
  for (const std::string target : {"/", "/status", "/?from=bookmark"}) {
    const auto r = llmd.get(target);
    ASSERT_EQ(r.status, 200u) << target;
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8") << target;
    EXPECT_EQ(r.header("cache-control"), "no-store") << target;
    EXPECT_EQ(r.header("content-security-policy"), csp) << target;
    EXPECT_EQ(r.body, source) << target;  // embedded byte for byte
  }
}

TEST(status_page, head_gets_the_header_alone_and_the_connection_goes_on) {
  mock m("m");
  gateway llmd("models:\n" + model_entry("m", m));
  connection c(llmd.port());
  c.send("HEAD", "/status");
  const auto head = c.read_header();
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(head.header("content-length"), std::to_string(page_source().size()));
  // Had a body followed, this would read it as the next response.
  c.send("GET", "/health");
  const auto next = c.read_response();
  EXPECT_EQ(next.status, 200u);
  EXPECT_EQ(next.body, R"({"status":"ok"})");
}

TEST(status_page, other_methods_get_405_naming_get) {
  mock m("m");
  gateway llmd("models:\n" + model_entry("m", m));
  for (const std::string method : {"POST", "PUT", "DELETE"}) {
    for (const std::string target : {"/", "/status"}) {
      const auto r = call(llmd.port(), method, target, method == "POST" ? "{}" : "");
      EXPECT_EQ(r.status, 405u) << method << " " << target;
      EXPECT_EQ(r.header("allow"), "GET") << method << " " << target;
      EXPECT_EQ(json::parse(r.body)["error"]["code"], "method_not_allowed") << method << " " << target;
    }
  }
}

// ---- The rendered DOM --------------------------------------------------------------------

// The first `tag` element of `html` whose start tag carries `attribute` (`data-field="slots"`),
// start tag to end tag. The page nests neither rows nor cells, so the first end tag closes it.
std::optional<std::string> element(const std::string& html, const std::string& tag, const std::string& attribute) {
  const std::string open = "<" + tag;
  for (auto at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const auto start_end = html.find('>', at);
    if (start_end == std::string::npos) break;
    const auto start = html.substr(at, start_end + 1 - at);
    const char after_name = start[open.size()];
    if (after_name != ' ' && after_name != '>') continue;  // <tr> but not <track>
    const auto found = start.find(" " + attribute);
    if (found == std::string::npos) continue;
    const char after = start[found + 1 + attribute.size()];
    if (after != ' ' && after != '>' && after != '/') continue;
    const auto end = html.find("</" + tag + ">", start_end);
    if (end == std::string::npos) break;
    return html.substr(at, end + tag.size() + 3 - at);
  }
  return std::nullopt;
}

// What a person reads of an element: its text, tags dropped, entities decoded.
std::string text_of(const std::string& element) {
  std::string text;
  bool in_tag = false;
  for (char c : element) {
    if (c == '<') in_tag = true;
    else if (c == '>') in_tag = false;
    else if (!in_tag) text += c;
  }
  for (const auto& [entity, plain] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", "\u00a0"}, {"&amp;", "&"}}) {
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + plain.size())) {
      text.replace(at, entity.size(), plain);
    }
  }
  return text;
}

// The start tag of an element.
std::string start_tag(const std::string& element) { return element.substr(0, element.find('>') + 1); }

struct rendered {
  std::string dom;

  std::optional<std::string> row(const std::string& replica) const {
    return element(dom, "tr", "data-replica=\"" + replica + "\"");
  }
  // The text of a replica's cell; "(no such cell)" when the row or cell is missing.
  std::string cell(const std::string& replica, const std::string& field) const {
    const auto r = row(replica);
    const auto c = r ? element(*r, "td", "data-field=\"" + field + "\"") : std::nullopt;
    return c ? text_of(*c) : "(no such cell)";
  }
  std::string cell_start_tag(const std::string& replica, const std::string& field) const {
    const auto r = row(replica);
    const auto c = r ? element(*r, "td", "data-field=\"" + field + "\"") : std::nullopt;
    return c ? start_tag(*c) : "(no such cell)";
  }
  // A cell holding a figure; NaN, failing the test, when it holds none.
  double number(const std::string& replica, const std::string& field) const {
    const auto text = cell(replica, field);
    try {
      return std::stod(text);
    } catch (const std::exception&) {
      ADD_FAILURE() << replica << " " << field << " is no number: " << text;
      return std::nan("");
    }
  }
  std::optional<std::string> field(const std::string& tag, const std::string& name) const {
    return element(dom, tag, "data-field=\"" + name + "\"");
  }
};

// Loads `url` in headless Chromium and returns the DOM once the page's timers have had
// `virtual_ms` of virtual time (several 2 s refreshes, with no real waiting).
rendered render_in_chromium(const std::string& url, int virtual_ms) {
  temp_dir profile;
  // A hard deadline, far above what a loaded machine needs, so a wedged browser fails the test
  // instead of hanging it.
  const auto r = run("/usr/bin/timeout",
                     {"--kill-after=10", "100", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking", "--no-first-run", "--user-data-dir=" + profile.path(),
                      "--virtual-time-budget=" + std::to_string(virtual_ms), "--dump-dom", url},
                     {"HOME=" + profile.path()});
  EXPECT_EQ(r.exit_code, 0) << (r.exit_code == 127 ? "is chromium installed? scripts/setup.sh installs it\n" : "")
                            << r.output;
  // Chromium's own messages go to stderr, merged into the output with the DOM.
  const auto begin = r.output.find("<html");
  const auto end = r.output.rfind("</html>");
  if (begin == std::string::npos || end == std::string::npos) {
    ADD_FAILURE() << "no DOM in chromium's output:\n" << r.output;
    return {};
  }
  return {r.output.substr(begin, end + 7 - begin)};
}

TEST(status_page, chromium_renders_each_replica_with_its_state_and_slots_and_the_queue) {
  mock sick("sick", {"--status", "500"});
  mock good("good");
  // One failure ejects, for long enough to still be ejected while Chromium looks.
  gateway llmd("health:\n  failures_to_eject: 1\n  cooldown: 5m\n  max_cooldown: 5m\n"
               "queue:\n  max_waiting: 50\n"
               "models:\n" +
               model_entry("primary", sick, "    id: primary\n    max_concurrent: 4\n") +
               model_entry("fallback", good, "    id: fallback\n    max_concurrent: 8\n"));
  for (int i = 0; i < 3; ++i) {
    const auto r = llmd.post("/v1/chat/completions", chat_body("primary"));
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.header("x-llmd-backend"), "fallback");
  }
  ASSERT_EQ(llmd.replica("primary")["state"], "ejected");
  const bool has_metrics = llmd.get("/metrics").status == 200;

  const auto page = render_in_chromium("http://127.0.0.1:" + std::to_string(llmd.port()) + "/", 7000);
  ASSERT_FALSE(page.dom.empty());

  EXPECT_EQ(page.cell("primary", "id"), "primary");
  EXPECT_EQ(page.cell("primary", "group"), "primary");
  EXPECT_EQ(page.cell("primary", "state"), "ejected");
  EXPECT_NE(page.cell_start_tag("primary", "state").find(" data-state=\"ejected\""), std::string::npos)
      << page.cell_start_tag("primary", "state");
  EXPECT_EQ(page.cell("primary", "slots"), "0 / 4");

  EXPECT_EQ(page.cell("fallback", "id"), "fallback");
  EXPECT_EQ(page.cell("fallback", "group"), "fallback");
  EXPECT_EQ(page.cell("fallback", "state"), "up");
  EXPECT_NE(page.cell_start_tag("fallback", "state").find(" data-state=\"healthy\""), std::string::npos)
      << page.cell_start_tag("fallback", "state");
  EXPECT_EQ(page.cell("fallback", "slots"), "0 / 8");

  const auto queue = page.field("strong", "queue");
  ASSERT_TRUE(queue) << page.dom;
  EXPECT_EQ(text_of(*queue), "0 / 50");
  const auto chain = element(page.dom, "tr", "data-group=\"primary\"");
  ASSERT_TRUE(chain) << page.dom;
  const auto chain_cell = element(*chain, "td", "data-field=\"chain\"");
  ASSERT_TRUE(chain_cell) << *chain;
  EXPECT_EQ(text_of(*chain_cell), "primary → fallback");

  // It did load: a time, and no error about /admin/backends.
  const auto updated = page.field("span", "updated");
  ASSERT_TRUE(updated) << page.dom;
  EXPECT_NE(text_of(*updated), "never");
  const auto error = page.field("p", "error");
  ASSERT_TRUE(error) << page.dom;
  EXPECT_NE(start_tag(*error).find(" hidden"), std::string::npos) << *error;

  // The columns from /metrics: a dash for each without it, figures with it.
  const auto metrics_note = page.field("p", "metrics-error");
  ASSERT_TRUE(metrics_note) << page.dom;
  for (const std::string replica : {"primary", "fallback"}) {
    for (const std::string field : {"request_rate", "error_rate", "fallback_rate"}) {
      if (has_metrics) {
        EXPECT_NE(page.cell(replica, field), "—") << replica << " " << field;
      } else {
        EXPECT_EQ(page.cell(replica, field), "—") << replica << " " << field;
      }
    }
  }
  if (has_metrics) {
    EXPECT_NE(start_tag(*metrics_note).find(" hidden"), std::string::npos) << *metrics_note;
  } else {
    EXPECT_EQ(start_tag(*metrics_note).find(" hidden"), std::string::npos) << *metrics_note;
    EXPECT_EQ(text_of(*metrics_note).rfind("metrics: HTTP 404 at ", 0), 0u) << *metrics_note;
    for (const std::string replica : {"primary", "fallback"}) {
      EXPECT_EQ(page.cell(replica, "ttft_p50"), "—") << replica;
      EXPECT_EQ(page.cell(replica, "ttft_p99"), "—") << replica;
    }
  }
}

// Chromium answers the page's 401 with the URL's credentials and keeps them for the page's own
// fetches of admin/backends and metrics, as a browser that prompted for them does.
TEST(status_page, chromium_given_the_admin_key_as_basic_credentials_renders_the_pool_and_the_metrics) {
  mock m("m");
  // The key is in tests/integration/secrets.txt.
  gateway llmd("admin:\n  key: ${LLMD_ADMIN_KEY}\nmodels:\n" + model_entry("m", m, "    id: only\n"), {},
               {"LLMD_ADMIN_KEY=adm1n-k3y-for-tests"});
  ASSERT_EQ(llmd.get("/").status, 401u);
  ASSERT_EQ(llmd.post("/v1/chat/completions", chat_body("m")).status, 200u);  // a series in /metrics
  const auto page = render_in_chromium(
      "http://ops:adm1n-k3y-for-tests@127.0.0.1:" + std::to_string(llmd.port()) + "/status", 7000);
  ASSERT_FALSE(page.dom.empty());
  EXPECT_EQ(page.cell("only", "state"), "up");
  EXPECT_EQ(page.cell("only", "slots"), "0 / 64");
  EXPECT_NE(page.cell("only", "request_rate"), "—");  // from /metrics
  for (const std::string note : {"error", "metrics-error"}) {
    const auto shown = page.field("p", note);
    ASSERT_TRUE(shown) << page.dom;
    EXPECT_NE(start_tag(*shown).find(" hidden"), std::string::npos) << *shown;
  }
}

// llm-d has no /metrics yet: a stand-in serves the page, a pool and growing counters.
TEST(status_page, chromium_shows_rates_and_ttft_quantiles_from_what_changed_between_scrapes) {
  process fake("/usr/bin/env", {"node", LLMD_SOURCE_DIR "/tests/integration/status_page_fake.mjs",
                                LLMD_SOURCE_DIR "/src/admin/status_page.html"});
  const auto page = render_in_chromium("http://127.0.0.1:" + std::to_string(fake.port()) + "/", 7000);
  ASSERT_FALSE(page.dom.empty());
  const auto metrics_note = page.field("p", "metrics-error");
  ASSERT_TRUE(metrics_note) << page.dom;
  EXPECT_NE(start_tag(*metrics_note).find(" hidden"), std::string::npos) << *metrics_note;

  // 12 requests, 2 of them errors, and 4 fallbacks out of the group per refresh: per second, at
  // most 6 (the refresh period is 2 s, and a little more for the fetches on a loaded machine).
  const double requests = page.number("m#0", "request_rate");
  EXPECT_GE(requests, 1.0);
  EXPECT_LE(requests, 6.0);
  EXPECT_NEAR(page.number("m#0", "error_rate"), requests / 6, 0.02);
  EXPECT_NEAR(page.number("m#0", "fallback_rate"), requests / 3, 0.02);
  EXPECT_EQ(page.cell("m#1", "fallback_rate"), page.cell("m#0", "fallback_rate"));  // the group's
  // Of 11 new first tokens, 1 within 0.1 s and 10 within 1 s: p50 = 0.1 + 0.9 * 4.5 / 10 and
  // p99 = 0.1 + 0.9 * 9.89 / 10, interpolated as histogram_quantile does.
  EXPECT_EQ(page.cell("m#0", "ttft_p50"), "505 ms");
  EXPECT_EQ(page.cell("m#0", "ttft_p99"), "990 ms");
  EXPECT_EQ(page.cell("m#0", "slots"), "1 / 4");

  // m#1 has no series: no requests, no TTFT.
  EXPECT_EQ(page.cell("m#1", "request_rate"), "0.00");
  EXPECT_EQ(page.cell("m#1", "error_rate"), "0.00");
  EXPECT_EQ(page.cell("m#1", "ttft_p50"), "—");
  EXPECT_EQ(page.cell("m#1", "state"), "ejected");
  const auto queue = page.field("strong", "queue");
  ASSERT_TRUE(queue) << page.dom;
  EXPECT_EQ(text_of(*queue), "2 / 9");
}

}  // namespace
}  // namespace llmd::test
