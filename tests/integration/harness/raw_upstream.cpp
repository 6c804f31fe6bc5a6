#include "raw_upstream.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <string_view>
#include <thread>

#include "llmd/net/executor.hpp"

namespace llmd::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// What the coroutines share; it outlives them (see ~raw_upstream).
struct shared {
  std::function<raw_answer(int)> script;
  std::atomic<int> requests{0};
  std::atomic<int> connections{0};
  std::atomic<int> answered{0};
};

std::size_t content_length(std::string_view head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string_view name = "\r\ncontent-length:";
  const auto at = lower.find(name);
  if (at == std::string::npos) return 0;
  return std::stoul(lower.substr(at + name.size()));
}

// Reads one request, head and body, and drops it from `buffer`; false when the peer went first.
awaitable<bool> read_request(tcp_socket& socket, std::string& buffer) {
  const auto [ec, head] = co_await net::async_read_until(socket, net::dynamic_buffer(buffer), "\r\n\r\n", use_tuple);
  if (ec) co_return false;
  const auto whole = head + content_length(std::string_view(buffer).substr(0, head));
  if (buffer.size() < whole) {
    const auto [rec, n] = co_await net::async_read(socket, net::dynamic_buffer(buffer),
                                                   net::transfer_exactly(whole - buffer.size()), use_tuple);
    if (rec) co_return false;
  }
  buffer.erase(0, whole);
  co_return true;
}

// False when the peer is gone.
awaitable<bool> send(tcp_socket& socket, const raw_piece& piece) {
  if (piece.after.count() > 0) {
    steady_timer pause(socket.get_executor(), piece.after);
    co_await pause.async_wait(use_tuple);
  }
  const auto [ec, n] = co_await net::async_write(socket, net::buffer(piece.bytes), use_tuple);
  co_return !ec;
}

awaitable<void> drain(tcp_socket& socket) {
  char sink[4096];
  for (;;) {
    const auto [ec, n] = co_await socket.async_read_some(net::buffer(sink), use_tuple);
    if (ec) co_return;
  }
}

awaitable<void> serve(tcp_socket socket, shared* state) {
  std::string buffer;
  for (;;) {
    const bool got = co_await read_request(socket, buffer);
    if (!got) co_return;
    const auto answer = state->script(++state->requests);
    for (const auto& piece : answer.pieces) {
      const bool sent = co_await send(socket, piece);
      if (!sent) co_return;
    }
    ++state->answered;
    if (answer.repeat) {
      for (;;) {
        const bool sent = co_await send(socket, *answer.repeat);
        if (!sent) co_return;
      }
    }
    if (answer.end == raw_end::keep_alive) continue;
    if (answer.end == raw_end::hold) {
      co_await drain(socket);
      co_return;
    }
    boost::system::error_code ignored;
    if (answer.end == raw_end::reset) socket.set_option(net::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    co_return;
  }
}

awaitable<void> accept_all(tcp_acceptor& acceptor, shared* state) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) co_return;
    ++state->connections;
    net::co_spawn(acceptor.get_executor(), serve(std::move(socket), state), net::detached);
  }
}

}  // namespace

// Declared first, the io_context is destroyed last: destroying it destroys the coroutines still
// pending, which refer to the rest.
struct raw_upstream::impl {
  net::io_context io;
  shared state;
  tcp_acceptor acceptor{io.get_executor(), tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
  unsigned short port = acceptor.local_endpoint().port();
  std::thread thread;
};

raw_upstream::raw_upstream(std::function<raw_answer(int)> script) : impl_(std::make_unique<impl>()) {
  impl_->state.script = std::move(script);
  net::co_spawn(impl_->io, accept_all(impl_->acceptor, &impl_->state), net::detached);
  impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

raw_upstream::~raw_upstream() {
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short raw_upstream::port() const { return impl_->port; }

std::string raw_upstream::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/v1/chat/completions";
}

int raw_upstream::requests() const { return impl_->state.requests; }

int raw_upstream::connections() const { return impl_->state.connections; }

int raw_upstream::answered() const { return impl_->state.answered; }

raw_answer raw_ok(const std::string& body, const std::string& content_type) {
  return {.pieces = {{.bytes = "HTTP/1.1 200 OK\r\nContent-Type: " + content_type +
                               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body}}};
}

std::string model_entry(const std::string& name, const raw_upstream& u, const std::string& extra) {
  return "  - name: " + name + "\n    endpoint: " + u.endpoint() + "\n" + extra;
}

std::string replica_id(const std::string& name, const raw_upstream& u) {
  return name + "@127.0.0.1:" + std::to_string(u.port());
}

}  // namespace llmd::test
