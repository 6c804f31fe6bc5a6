// llm-d-convload: replays chat conversations that share long system prompts, as the users of
// one application do, and measures time to first token. Every user holds a conversation of
// several turns on one keep-alive connection; each turn sends the whole history so far (the
// system prompt, every earlier question and the answers received) and streams the answer.
// Prints one JSON line. See bench/README.md.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using ms = std::chrono::duration<double, std::milli>;
using nlohmann::json;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct options {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string model = "bench";
  std::size_t users = 48;
  std::size_t prompts = 6;          // distinct system prompts; user u has prompt u % prompts
  std::size_t prompt_bytes = 8192;  // of each system prompt
  std::size_t turns = 5;
  std::size_t question_bytes = 200;  // of each user message
  bool trace = false;                 // a line per answer on stderr: user, turn, TTFT, answer
};

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// Returns an error text, empty when every option was understood.
std::string parse_options(int argc, char** argv, options& o) {
  const std::map<std::string_view, std::size_t*> sizes{{"--users", &o.users},
                                                       {"--prompts", &o.prompts},
                                                       {"--prompt-bytes", &o.prompt_bytes},
                                                       {"--turns", &o.turns},
                                                       {"--question-bytes", &o.question_bytes}};
  for (int i = 1; i < argc; i += 2) {
    const std::string_view name = argv[i];
    if (name == "--trace") {
      o.trace = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) return "missing value for " + std::string(name);
    const std::string_view value = argv[i + 1];
    if (name == "--model") {
      o.model = value;
    } else if (name == "--target") {
      const auto colon = value.rfind(':');
      if (colon == std::string_view::npos || !parse_number(value.substr(colon + 1), o.port))
        return "--target needs HOST:PORT";
      o.host = value.substr(0, colon);
    } else if (auto it = sizes.find(name); it != sizes.end()) {
      if (!parse_number(value, *it->second) || *it->second == 0) return "bad value for " + std::string(name);
    } else {
      return "unknown option " + std::string(name);
    }
  }
  return o.port == 0 ? "--target HOST:PORT is required" : "";
}

// Words drawn from a generator seeded by `seed`, after a header that makes texts of different
// seeds differ from their first byte.
std::string text_of(std::string_view header, std::uint64_t seed, std::size_t bytes) {
  static constexpr std::array<std::string_view, 16> words = {
      "the",   "model", "answers", "every", "question", "with",   "care", "and",
      "cites", "its",   "sources", "when",  "asked",    "policy", "tool", "context"};
  std::string out(header);
  std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
  while (out.size() < bytes) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    out.append(words[(state >> 33) % words.size()]).push_back(' ');
  }
  out.resize(bytes);
  return out;
}

struct totals {
  std::vector<double> first_token_ms;
  std::map<std::string, std::size_t> errors;
  std::size_t users_done = 0;
};

struct run {
  options opts;
  tcp::endpoint target;
  std::vector<std::string> system_prompts;
  totals* sums;
};

std::string request_for(const run& r, const json& messages) {
  const std::string body =
      json{{"model", r.opts.model}, {"stream", true}, {"max_tokens", 16}, {"messages", messages}}.dump();
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: " + r.opts.host +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The events of one streamed answer: when the first arrived, and the content they carried.
class answer_reader {
 public:
  void feed(std::string_view bytes, steady::time_point now) {
    pending_.append(bytes);
    std::size_t begin = 0;
    for (auto end = pending_.find("\n\n"); end != std::string::npos; end = pending_.find("\n\n", begin)) {
      on_event(std::string_view(pending_).substr(begin, end - begin), now);
      begin = end + 2;
    }
    pending_.erase(0, begin);
  }
  const std::optional<steady::time_point>& first_event() const { return first_; }
  const std::string& content() const { return content_; }
  bool done() const { return done_; }

 private:
  void on_event(std::string_view event, steady::time_point now) {
    constexpr std::string_view prefix = "data: ";
    if (!event.starts_with(prefix)) return;
    if (!first_) first_ = now;
    const auto data = event.substr(prefix.size());
    if (data == "[DONE]") {
      done_ = true;
      return;
    }
    const auto chunk = json::parse(data, nullptr, false);
    if (chunk.is_discarded() || !chunk.contains("choices") || chunk["choices"].empty()) return;
    const auto& delta = chunk["choices"][0].value("delta", json::object());
    if (delta.contains("content") && delta["content"].is_string()) content_ += delta["content"].get<std::string>();
  }

  std::string pending_;
  std::optional<steady::time_point> first_;
  std::string content_;
  bool done_ = false;
};

// One turn on an open connection; returns an error text, empty on success.
asio::awaitable<std::string> turn(tcp::socket& socket, boost::beast::flat_buffer& buffer, const std::string& request,
                                  answer_reader& answer, totals& sums) {
  const auto sent = steady::now();
  auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(request), use_tuple);
  if (write_ec) co_return "write: " + write_ec.message();
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  auto [header_ec, header_bytes] = co_await http::async_read_header(socket, buffer, parser, use_tuple);
  if (header_ec) co_return "read header: " + header_ec.message();
  if (parser.get().result_int() != 200) co_return "status " + std::to_string(parser.get().result_int());
  std::array<char, 4096> piece;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    auto [ec, n] = co_await http::async_read_some(socket, buffer, parser, use_tuple);
    if (ec && ec != http::error::need_buffer) co_return "read body: " + ec.message();
    answer.feed(std::string_view(piece.data(), piece.size() - parser.get().body().size), steady::now());
  }
  if (!answer.done() || !answer.first_event()) co_return "answer ended without [DONE]";
  sums.first_token_ms.push_back(ms(*answer.first_event() - sent).count());
  co_return "";
}

asio::awaitable<void> converse(const run& r, std::size_t user) {
  tcp::socket socket(co_await asio::this_coro::executor);
  std::string error;
  if (auto [ec] = co_await socket.async_connect(r.target, use_tuple); ec) error = "connect: " + ec.message();
  boost::beast::flat_buffer buffer;
  json messages = json::array({{{"role", "system"}, {"content", r.system_prompts[user % r.opts.prompts]}}});
  for (std::size_t t = 1; t <= r.opts.turns && error.empty(); ++t) {
    const std::string header = "User " + std::to_string(user) + ", question " + std::to_string(t) + ": ";
    messages.push_back({{"role", "user"}, {"content", text_of(header, user * 1000 + t, r.opts.question_bytes)}});
    answer_reader answer;
    error = co_await turn(socket, buffer, request_for(r, messages), answer, *r.sums);
    if (r.opts.trace && error.empty())
      std::fprintf(stderr, "user %zu turn %zu ttft_ms %.1f answer %s\n", user, t, r.sums->first_token_ms.back(),
                   answer.content().substr(0, answer.content().find(']') + 1).c_str());
    messages.push_back({{"role", "assistant"}, {"content", answer.content()}});
  }
  if (!error.empty()) ++r.sums->errors[error];
  ++r.sums->users_done;
}

double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1))];
}

void print_report(const run& r, double wall_s) {
  const auto& t = r.sums->first_token_ms;
  const double mean = t.empty() ? 0 : std::accumulate(t.begin(), t.end(), 0.0) / static_cast<double>(t.size());
  json errors = json::object();
  for (const auto& [text, count] : r.sums->errors) errors[text] = count;
  const json report = {{"users", r.opts.users},
                       {"turns", r.opts.turns},
                       {"answers", t.size()},
                       {"ttft_mean_ms", std::round(mean * 10) / 10},
                       {"ttft_p50_ms", std::round(percentile(t, 0.5) * 10) / 10},
                       {"ttft_p99_ms", std::round(percentile(t, 0.99) * 10) / 10},
                       {"wall_s", std::round(wall_s * 100) / 100},
                       {"errors", errors}};
  std::printf("%s\n", report.dump().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  options opts;
  if (auto error = parse_options(argc, argv, opts); !error.empty()) {
    std::fprintf(stderr,
                 "llm-d-convload: %s\nusage: llm-d-convload --target HOST:PORT [--model NAME] [--users N] "
                 "[--prompts N] [--prompt-bytes N] [--turns N] [--question-bytes N] [--trace]\n",
                 error.c_str());
    return 2;
  }
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(opts.host, ec);
  if (ec) {
    std::fprintf(stderr, "llm-d-convload: --target host must be an IP address\n");
    return 2;
  }
  totals sums;
  run r{opts, tcp::endpoint(address, opts.port), {}, &sums};
  for (std::size_t p = 0; p < opts.prompts; ++p)
    r.system_prompts.push_back(text_of("System prompt " + std::to_string(p) + ". ", p, opts.prompt_bytes));
  const auto start = steady::now();
  asio::io_context ioc(1);
  for (std::size_t u = 0; u < opts.users; ++u) asio::co_spawn(ioc, converse(r, u), asio::detached);
  ioc.run();
  print_report(r, std::chrono::duration<double>(steady::now() - start).count());
  return sums.errors.empty() ? 0 : 1;
}
