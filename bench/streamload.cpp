// llm-d-streamload: opens N concurrent streaming chat requests and measures how evenly their
// Server-Sent Events arrive. Prints one JSON line. See bench/README.md.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
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

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct options {
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::size_t streams = 100;
  double interval_ms = 20;
  double ramp_ms = 1000;
  double timeout_s = 120;
  std::string model = "bench";
};

struct parsed_options {
  options opts;
  std::string error;
};

// What the run gathered, across every stream (one thread: no locking).
struct totals {
  std::size_t started = 0;
  std::size_t open = 0;
  std::size_t peak_open = 0;
  std::size_t completed = 0;
  std::size_t events = 0;
  std::vector<float> extra_gap_ms;
  std::vector<float> first_event_ms;
  std::map<std::string, std::size_t> errors;
};

struct load {
  options opts;
  tcp::endpoint target;
  std::string request;
  steady::time_point start;
  totals* sums;
};

template <typename T>
bool parse_number(std::string_view text, T& out)
{
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::string parse_target(std::string_view text, options& opts)
{
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || !parse_number(text.substr(colon + 1), opts.port))
    return "--target needs HOST:PORT";
  opts.host = std::string(text.substr(0, colon));
  return {};
}

std::string apply_option(std::string_view name, std::string_view value, options& opts)
{
  if (name == "--target")
    return parse_target(value, opts);
  if (name == "--model") {
    opts.model = std::string(value);
    return {};
  }
  bool ok = false;
  if (name == "--streams")
    ok = parse_number(value, opts.streams) && opts.streams > 0;
  else if (name == "--interval-ms")
    ok = parse_number(value, opts.interval_ms) && opts.interval_ms >= 0;
  else if (name == "--ramp-ms")
    ok = parse_number(value, opts.ramp_ms) && opts.ramp_ms >= 0;
  else if (name == "--timeout-s")
    ok = parse_number(value, opts.timeout_s) && opts.timeout_s > 0;
  else
    return "unknown option " + std::string(name);
  return ok ? std::string{} : "bad value for " + std::string(name);
}

parsed_options parse_options(int argc, char** argv)
{
  parsed_options out;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) {
      out.error = std::string("missing value for ") + argv[i];
      return out;
    }
    out.error = apply_option(argv[i], argv[i + 1], out.opts);
    if (!out.error.empty())
      return out;
  }
  if (out.opts.port == 0)
    out.error = "--target HOST:PORT is required";
  return out;
}

std::string make_request(const options& opts)
{
  std::string body = R"({"model":")" + opts.model +
                     R"(","stream":true,"messages":[{"role":"user","content":"Tell me a story"}]})";
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: " + opts.host +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// Splits the SSE body into events and times each `data:` event as its blank line arrives.
class event_clock {
public:
  event_clock(steady::time_point sent, double interval_ms, totals& sums)
    : sent_(sent), interval_ms_(interval_ms), sums_(sums)
  {
  }

  void feed(std::string_view bytes, steady::time_point now)
  {
    pending_.append(bytes);
    std::size_t begin = 0;
    for (auto end = pending_.find("\n\n"); end != std::string::npos;
         end = pending_.find("\n\n", begin)) {
      on_event(std::string_view(pending_).substr(begin, end - begin), now);
      begin = end + 2;
    }
    pending_.erase(0, begin);
  }

  bool done() const { return done_; }

private:
  void on_event(std::string_view event, steady::time_point now)
  {
    constexpr std::string_view prefix = "data: ";
    if (!event.starts_with(prefix))
      return;
    ++sums_.events;
    if (last_)
      sums_.extra_gap_ms.push_back(static_cast<float>(
        std::max(0.0, ms(now - *last_).count() - interval_ms_)));
    else
      sums_.first_event_ms.push_back(static_cast<float>(ms(now - sent_).count()));
    last_ = now;
    if (event.substr(prefix.size()) == "[DONE]")
      done_ = true;
  }

  steady::time_point sent_;
  double interval_ms_;
  totals& sums_;
  std::string pending_;
  std::optional<steady::time_point> last_;
  bool done_ = false;
};

// Reads the body piece by piece until it ends; returns an error text, empty when complete.
asio::awaitable<std::string> read_events(tcp::socket& socket, boost::beast::flat_buffer& buffer,
                                         http::response_parser<http::buffer_body>& parser,
                                         event_clock& clock)
{
  std::array<char, 4096> piece;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    auto [ec, n] = co_await http::async_read_some(socket, buffer, parser, use_tuple);
    if (ec && ec != http::error::need_buffer)
      co_return "read body: " + ec.message();
    std::size_t got = piece.size() - parser.get().body().size;
    clock.feed(std::string_view(piece.data(), got), steady::now());
  }
  co_return clock.done() ? std::string{} : std::string("body ended without [DONE]");
}

// One stream from connect to the end of its body; returns an error text, empty on success.
asio::awaitable<std::string> stream_once(const load& ld)
{
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  auto sent = steady::now();
  auto [connect_ec] = co_await socket.async_connect(ld.target, use_tuple);
  if (connect_ec)
    co_return "connect: " + connect_ec.message();
  auto [write_ec, written] =
    co_await asio::async_write(socket, asio::buffer(ld.request), use_tuple);
  if (write_ec)
    co_return "write: " + write_ec.message();

  boost::beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  auto [header_ec, header_bytes] =
    co_await http::async_read_header(socket, buffer, parser, use_tuple);
  if (header_ec)
    co_return "read header: " + header_ec.message();
  if (parser.get().result_int() != 200)
    co_return "status " + std::to_string(parser.get().result_int());
  ++ld.sums->started;
  ld.sums->peak_open = std::max(ld.sums->peak_open, ++ld.sums->open);

  event_clock clock(sent, ld.opts.interval_ms, *ld.sums);
  std::string error = co_await read_events(socket, buffer, parser, clock);
  --ld.sums->open;
  co_return error;
}

asio::awaitable<void> run_stream(const load& ld, std::size_t index)
{
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer ramp(executor);
  auto share = static_cast<double>(index) / static_cast<double>(ld.opts.streams);
  auto offset = ms(ld.opts.ramp_ms * share);
  ramp.expires_at(ld.start + std::chrono::duration_cast<steady::duration>(offset));
  co_await ramp.async_wait(use_tuple);
  std::string error = co_await stream_once(ld);
  if (error.empty())
    ++ld.sums->completed;
  else
    ++ld.sums->errors[error];
}

double percentile(std::vector<float>& values, double fraction)
{
  if (values.empty())
    return 0;
  auto rank = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1));
  auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank);
  std::nth_element(values.begin(), nth, values.end());
  return values[rank];
}

std::string json_escape(std::string_view text)
{
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

void print_report(const options& opts, totals& sums, double wall_s)
{
  double gap_max = sums.extra_gap_ms.empty()
                     ? 0.0
                     : *std::max_element(sums.extra_gap_ms.begin(), sums.extra_gap_ms.end());
  std::string errors;
  for (const auto& [text, count] : sums.errors)
    errors += (errors.empty() ? "\"" : ",\"") + json_escape(text) + "\":" + std::to_string(count);
  std::printf("{\"streams\":%zu,\"started\":%zu,\"completed\":%zu,\"failed\":%zu,"
              "\"peak_open\":%zu,\"events\":%zu,"
              "\"extra_gap_p50_ms\":%.3f,\"extra_gap_p99_ms\":%.3f,\"extra_gap_max_ms\":%.3f,"
              "\"first_event_p50_ms\":%.3f,\"first_event_p99_ms\":%.3f,\"wall_s\":%.3f,"
              "\"errors\":{%s}}\n",
              opts.streams, sums.started, sums.completed, opts.streams - sums.completed,
              sums.peak_open, sums.events,
              percentile(sums.extra_gap_ms, 0.5), percentile(sums.extra_gap_ms, 0.99), gap_max,
              percentile(sums.first_event_ms, 0.5), percentile(sums.first_event_ms, 0.99), wall_s,
              errors.c_str());
}

// Ends the run once every stream is over, or at the global deadline.
asio::awaitable<void> watch(const load& ld, asio::io_context& ioc)
{
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer tick(executor);
  auto deadline = ld.start + std::chrono::duration_cast<steady::duration>(
                                std::chrono::duration<double>(ld.opts.timeout_s));
  while (steady::now() < deadline) {
    std::size_t ended = ld.sums->completed;
    for (const auto& [text, count] : ld.sums->errors)
      ended += count;
    if (ended == ld.opts.streams)
      break;
    tick.expires_after(std::chrono::milliseconds(50));
    co_await tick.async_wait(use_tuple);
  }
  ioc.stop();
}

}  // namespace

int main(int argc, char** argv)
{
  auto parsed = parse_options(argc, argv);
  if (!parsed.error.empty()) {
    std::fprintf(stderr,
                 "llm-d-streamload: %s\nusage: llm-d-streamload --target HOST:PORT [--streams N] "
                 "[--interval-ms MS] [--ramp-ms MS] [--timeout-s S] [--model NAME]\n",
                 parsed.error.c_str());
    return 2;
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(parsed.opts.host, ec);
  if (ec) {
    std::fprintf(stderr, "llm-d-streamload: --target host must be an IP address\n");
    return 2;
  }

  totals sums;
  sums.extra_gap_ms.reserve(parsed.opts.streams * 128);
  load ld{parsed.opts, tcp::endpoint(address, parsed.opts.port), make_request(parsed.opts),
          steady::now(), &sums};
  asio::io_context ioc(1);
  for (std::size_t i = 0; i < ld.opts.streams; ++i)
    asio::co_spawn(ioc, run_stream(ld, i), asio::detached);
  asio::co_spawn(ioc, watch(ld, ioc), asio::detached);
  ioc.run();
  print_report(ld.opts, sums, std::chrono::duration<double>(steady::now() - ld.start).count());
  return sums.completed == ld.opts.streams ? 0 : 1;
}
