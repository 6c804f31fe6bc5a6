#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "llmd/observe/access_log.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::observe {
namespace {

using namespace std::chrono_literals;

struct fixture {
  fixture() {
    auto cfg = std::make_shared<config::config>();
    config::model_entry e;
    e.name = "chat";
    e.id = "chat@10.0.0.5:8000";
    cfg->models.push_back(e);
    pool.emplace(cfg);
    r.received = proxy::record_clock::time_point(10s);
    r.client = boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("10.0.0.7"), 51234);
    r.request_id = "req-1";
    r.method = "POST";
    r.path = "/v1/chat/completions";
    r.group = 0;
    r.served = &pool->replica_at(0);
    r.steps.push_back({.group = 0, .backend = r.served, .reason = "", .status = 200});
    r.status = 200;
    r.bytes_in = 312;
    r.bytes_out = 4711;
    r.head_sent = r.received + 12ms;
    r.finished = r.received + 1234567us;
    r.upstream_wait = 1234ms;
    r.prompt_tokens = 12;
    r.completion_tokens = 34;
  }
  std::string line(log_format format) const {
    std::string out = "prefix ";
    append_line(out, *pool, r, format);
    EXPECT_TRUE(out.starts_with("prefix "));
    return out.substr(7);
  }
  nlohmann::json json() const { return nlohmann::json::parse("{\"time\":\"t\"" + line(log_format::json) + "}"); }

  std::optional<router::backend_pool> pool;
  proxy::request_record r;
};

TEST(access_line, text_carries_every_fact_with_fixed_decimals) {
  fixture f;
  f.r.set_model("llama");
  EXPECT_EQ(f.line(log_format::text),
            "10.0.0.7:51234 \"POST /v1/chat/completions\" 200 1.235s model=\"llama\" key=- group=chat "
            "backend=chat@10.0.0.5:8000 attempts=1 fallbacks=0 ttfb=0.012 ttft=- queue=0.000 overhead=0.000567 "
            "in=312 out=4711 tokens=12/34 end=answered id=\"req-1\"");
}

TEST(access_line, json_carries_the_same_facts_as_typed_values) {
  fixture f;
  const auto j = f.json();
  EXPECT_EQ(j["client"], "10.0.0.7:51234");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["model"], nullptr);
  EXPECT_EQ(j["key"], nullptr);
  EXPECT_EQ(j["backend"], "chat@10.0.0.5:8000");
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 1.234567);
  EXPECT_DOUBLE_EQ(j["ttfb_s"].get<double>(), 0.012);
  EXPECT_EQ(j["ttft_s"], nullptr);
  EXPECT_EQ(j["prompt_tokens"], 12);
  EXPECT_EQ(j["attempts"][0]["failure"], nullptr);
  EXPECT_EQ(j["end"], "answered");
}

// What the line's \u00XX escapes read back as: each byte as the code point of its value.
std::string as_code_points(std::string_view bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

TEST(access_line, any_bytes_from_a_client_stay_one_line_of_valid_json) {
  fixture f;
  std::string every_byte;
  for (int c = 255; c >= 0; --c) every_byte += static_cast<char>(c);
  // Runs long enough for the sixteen-byte scan, with bytes to escape at every offset.
  const std::string model = std::string(37, 'a') + every_byte + std::string(20, 'b') + "\"\\";
  f.r.set_model(model.substr(0, 256));
  const std::string id = "id\n\r\t" + std::string(40, 'x') + "\x7f";
  f.r.request_id = id;
  const auto text = f.line(log_format::text);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  for (const unsigned char c : text) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  const auto j = f.json();
  EXPECT_EQ(j["model"], as_code_points(model.substr(0, 256)));
  EXPECT_EQ(j["request_id"], as_code_points(id));
}

TEST(access_line, a_byte_to_escape_is_escaped_at_any_length_and_offset) {
  fixture f;
  for (std::size_t length = 1; length <= 40; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const char c : {'"', '\\', '\n', '\x7f', '\xe9'}) {
        std::string path(length, 'p');
        path[at] = c;
        f.r.path = path;
        EXPECT_EQ(f.json()["path"].get<std::string>(), as_code_points(path)) << length << " " << at;
      }
    }
    const std::string clean(length, 'q');
    f.r.path = clean;
    EXPECT_EQ(f.json()["path"].get<std::string>(), clean);
  }
}

TEST(access_line, an_ipv6_client_is_bracketed) {
  fixture f;
  f.r.client = boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("::1"), 8080);
  EXPECT_TRUE(f.line(log_format::text).starts_with("[::1]:8080 "));
  EXPECT_EQ(f.json()["client"], "[::1]:8080");
}

}  // namespace
}  // namespace llmd::observe
