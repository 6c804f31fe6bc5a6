// Raw bytes from a client, through the daemon's own session and routes: the bytes go over a
// loopback connection into http::run_session with app::routes serving a small config, whose
// models are proxied to a fake backend (fake_upstream.hpp) in the same io_context.
//
// Oracle: the session ends (no hang) without an exception; what the client reads back is one
// whole, well-formed HTTP/1.1 response per request answered, each with an x-request-id; every
// JSON error is OpenAI-shaped; every request forwarded upstream is well-formed (fake_upstream).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <cstdint>
#include <exception>
#include <optional>
#include <spdlog/spdlog.h>
#include <string>
#include <vector>

#include "fake_upstream.hpp"
#include "llmd/app/routes.hpp"
#include "llmd/app/runtime.hpp"
#include "llmd/config/parse.hpp"
#include "llmd/http/session.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/pool_directory.hpp"
#include "loopback.hpp"
#include "oracle.hpp"
#include "responses.hpp"

namespace llmd::fuzz {
namespace {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

std::string config_text(unsigned short upstream_port) {
  const auto port = std::to_string(upstream_port);
  return "workers: 1\n"
         "admin: {key: fuzz-admin-key}\n"
         "cors: {allow_origins: ['https://app.example']}\n"
         "limits: {max_body_size: 4KiB, client_idle_timeout: 10s, client_header_timeout: 10s}\n"
         "models:\n"
         "  - {name: m, endpoint: 'http://127.0.0.1:" + port + "/v1', model: " +
         std::string(fake_upstream::rewritten_model) + ", retries: 0}\n"
         "  - {name: s, endpoint: 'http://127.0.0.1:" + port + "/sse/v1', retries: 0}\n";
}

// The routes, with what the oracle needs to know of each request: whether it is being answered
// now (the client must not leave then, or llm-d rightly cuts the answer short), and whether
// each answer is to a HEAD request.
class watched_routes : public http::handler {
 public:
  explicit watched_routes(app::routes& routes) : routes_(routes) {}

  std::optional<http::refusal> screen(http::exchange& ex) override {
    auto refused = routes_.screen(ex);
    if (refused) head_only_.push_back(ex.req.method() == bhttp::verb::head);
    return refused;
  }
  awaitable<bool> handle(http::exchange& ex) override {
    busy_ = true;
    head_only_.push_back(ex.req.method() == bhttp::verb::head);
    const bool keep = co_await routes_.handle(ex);
    busy_ = false;
    co_return keep;
  }
  void refused(const http::exchange& ex, unsigned status, std::string_view reason) override {
    head_only_.push_back(ex.req.method() == bhttp::verb::head);
    routes_.refused(ex, status, reason);
  }
  void connection_refused() override { routes_.connection_refused(); }
  config::limits limits() override { return routes_.limits(); }
  std::shared_ptr<net::ssl::context> front_tls() override { return routes_.front_tls(); }

  bool busy() const { return busy_; }
  // One entry per request answered, in order.
  std::vector<bool> take_answers() { return std::exchange(head_only_, {}); }

 private:
  app::routes& routes_;
  bool busy_ = false;
  std::vector<bool> head_only_;
};

// The daemon's state for one worker, as app::run_daemon builds it.
struct front_door {
  front_door() {
    spdlog::set_level(spdlog::level::off);
    const auto parsed = config::parse(config_text(upstream.port()));
    if (!parsed.value) fail("the front door's config does not parse", parsed.problems.front().to_string());
    std::string error;
    auto rt = app::build_runtime(std::make_shared<const config::config>(*parsed.value), nullptr, {directory, metrics},
                                 error);
    if (!rt) fail("the front door's runtime does not build", error);
    slot.publish(std::move(rt));
    routes.emplace(slot, connections, traffic, app::request_sinks{metrics, nullptr}, app::surface::everything);
    watched.emplace(*routes);
  }

  net::io_context io;
  fake_upstream upstream{io};
  loopback loop{io};
  upstream::pool_directory directory{1};
  app::runtime_slot slot;
  observe::gateway_metrics metrics{1, [this] { return app::pool_of(slot.load()); }};
  upstream::connection_pool connections{io, 0};
  http::traffic traffic;
  std::optional<app::routes> routes;
  std::optional<watched_routes> watched;
};

awaitable<void> send_all(tcp_socket& socket, std::string_view bytes, bool& done) {
  co_await net::async_write(socket, net::buffer(bytes), use_tuple);
  done = true;
}

void check_answers(std::string_view read, const std::vector<bool>& head_only) {
  const auto responses = read_responses(read, head_only);
  check(responses.size() == head_only.size(), "not one response per request answered",
        std::to_string(responses.size()) + " responses to " + std::to_string(head_only.size()) + " requests:\n" +
            std::string(read));
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const auto& res = responses[i];
    check(res.count("x-request-id") == 1, "a response without x-request-id", std::string(read));
    const auto type = res[bhttp::field::content_type];
    if (res.result_int() < 400 || head_only[i] || !type.starts_with("application/json")) continue;
    const auto problem = openai_error_problem(res.body());
    check(problem.empty(), "a JSON error is not OpenAI-shaped", std::string(problem) + ": " + res.body());
  }
}

}  // namespace
}  // namespace llmd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llmd::fuzz;
  static front_door& door = *new front_door;  // never destroyed: it outlives every input
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto pair = door.loop.connect();
  auto& client = pair.client;
  bool sent = false;
  bool read = false;
  bool ended = false;
  bool half_closed = false;
  std::exception_ptr escaped;
  std::string answer;
  net::co_spawn(door.io, send_all(client, input, sent), net::detached);
  net::co_spawn(door.io, read_all(client, answer, read), net::detached);
  net::co_spawn(door.io, llmd::http::run_session(std::move(pair.server), *door.watched, door.traffic),
                [&](std::exception_ptr e) {
                  escaped = e;
                  ended = true;
                });
  // Once every byte is sent and no request is being answered, the client is done: its end of
  // stream lets the session end.
  const auto done_sending = [&] {
    if (!sent || half_closed || door.watched->busy()) return;
    boost::system::error_code ignored;
    client.shutdown(llmd::tcp_socket::shutdown_send, ignored);
    half_closed = true;
  };
  if (!run_until(door.io, [&] { return ended && read; }, std::chrono::seconds(5), done_sending)) {
    fail("the session did not end within 5 s", input);
  }
  if (escaped) {
    try {
      std::rethrow_exception(escaped);
    } catch (const std::exception& e) {
      fail("an exception escaped the session", e.what());
    }
  }
  check_answers(answer, door.watched->take_answers());
  return 0;
}
