// Raw bytes from a client, through the daemon's own session and routes: the bytes go over a
// loopback connection into http::run_session with app::routes serving a small config, whose
// models are proxied to a fake backend (fake_upstream.hpp) in the same io_context. The input's
// first byte chooses where the rest is cut into the pieces the client sends; the bytes are sent
// whole as well, on a second connection.
//
// Oracle: the session ends (no hang) without an exception; what the client reads back is one
// whole, well-formed HTTP/1.1 response per request answered, each with an x-request-id; every
// JSON error is OpenAI-shaped; every request forwarded upstream is well-formed (fake_upstream);
// the statuses answered are the same however the bytes were cut.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <algorithm>
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
#include "splits.hpp"

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
    if (client_done && !first_late_) first_late_ = head_only_.size();
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
  // What was answered: whether each request was a HEAD, in order, and the first request handled
  // after the client ended its stream. llm-d takes that end for the client gone, as nginx does,
  // and answers it nothing (499), nor any request after it.
  struct answers {
    std::vector<bool> head_only;
    std::optional<std::size_t> first_late;
  };
  answers take_answers() {
    client_done = false;
    return {std::exchange(head_only_, {}), std::exchange(first_late_, std::nullopt)};
  }

  bool client_done = false;  // the client ended its stream (shutdown of its sending side)

 private:
  app::routes& routes_;
  bool busy_ = false;
  std::vector<bool> head_only_;
  std::optional<std::size_t> first_late_;
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

// Sends the pieces apart: between two, the event loop polls the sockets (a timer's expiry is seen
// there, a posted handler's turn may come first), and the session reads what has come.
awaitable<void> send_all(tcp_socket& socket, std::vector<std::string_view> pieces, bool& done) {
  steady_timer between(socket.get_executor());
  for (const auto piece : pieces) {
    auto [ec, n] = co_await net::async_write(socket, net::buffer(piece), use_tuple);
    if (ec) break;
    between.expires_after(std::chrono::seconds(0));
    co_await between.async_wait(use_tuple);
  }
  done = true;
}

// Checks what the client read and returns the statuses of the responses, in order.
std::vector<unsigned> check_answers(std::string_view read, const watched_routes::answers& answers) {
  const auto& head_only = answers.head_only;
  const auto responses = read_responses(read, head_only);
  const bool whole = responses.size() == head_only.size() ||
                     (answers.first_late && responses.size() >= *answers.first_late && responses.size() < head_only.size());
  check(whole, "not one response per request answered",
        std::to_string(responses.size()) + " responses to " + std::to_string(head_only.size()) + " requests:\n" +
            std::string(read));
  std::vector<unsigned> statuses;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const auto& res = responses[i];
    statuses.push_back(res.result_int());
    check(res.count("x-request-id") == 1, "a response without x-request-id", std::string(read));
    const auto type = res[bhttp::field::content_type];
    if (res.result_int() < 400 || head_only[i] || !type.starts_with("application/json")) continue;
    const auto problem = openai_error_problem(res.body());
    check(problem.empty(), "a JSON error is not OpenAI-shaped", std::string(problem) + ": " + res.body());
  }
  return statuses;
}

// `input` cut as `seed` chooses, the last of at most 16 pieces taking the rest: every piece costs
// the event loop a turn, and the cuts that matter are in the first bytes of a request.
std::vector<std::string_view> first_cuts(std::string_view input, std::uint8_t seed) {
  constexpr std::size_t max_pieces = 16;
  auto pieces = split(input, seed);
  if (pieces.size() > max_pieces) {
    const char* from = pieces[max_pieces - 1].data();
    pieces[max_pieces - 1] = std::string_view(from, static_cast<std::size_t>(input.data() + input.size() - from));
    pieces.resize(max_pieces);
  }
  return pieces;
}

// Sends `pieces` on a new connection into a session, checks what comes back, and returns the
// statuses answered.
std::vector<unsigned> exchange(front_door& door, std::vector<std::string_view> pieces, std::string_view input) {
  auto pair = door.loop.connect();
  auto& client = pair.client;
  bool sent = false;
  bool read = false;
  bool ended = false;
  bool half_closed = false;
  std::exception_ptr escaped;
  std::string answer;
  net::co_spawn(door.io, send_all(client, std::move(pieces), sent), net::detached);
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
    door.watched->client_done = true;
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
  return check_answers(answer, door.watched->take_answers());
}

}  // namespace
}  // namespace llmd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llmd::fuzz;
  static front_door& door = *new front_door;  // never destroyed: it outlives every input
  if (size == 0) return 0;
  // The first byte chooses where the rest is cut into the pieces the client sends.
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  // However the bytes are cut, the answers are the same (as far as both runs got answers).
  const auto cut = exchange(door, first_cuts(input, data[0]), input);
  const auto whole = exchange(door, {input}, input);
  for (std::size_t i = 0; i < std::min(cut.size(), whole.size()); ++i) {
    check(cut[i] == whole[i], "cutting the request bytes changed an answer",
          "response " + std::to_string(i + 1) + ": " + std::to_string(cut[i]) + " cut, " + std::to_string(whole[i]) +
              " whole, for:\n" + std::string(input));
  }
  return 0;
}
