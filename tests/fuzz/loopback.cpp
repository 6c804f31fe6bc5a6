#include "loopback.hpp"

#include <array>
#include <optional>
#include <stdexcept>

namespace llmd::fuzz {

namespace net = boost::asio;

loopback::loopback(net::io_context& io) : io_(io), acceptor_(io, {net::ip::address_v4::loopback(), 0}) {}

socket_pair loopback::connect() {
  socket_pair pair{tcp_socket(io_), tcp_socket(io_)};
  std::optional<boost::system::error_code> connected;
  std::optional<boost::system::error_code> accepted;
  pair.client.async_connect(acceptor_.local_endpoint(), [&](boost::system::error_code ec) { connected = ec; });
  acceptor_.async_accept(pair.server, [&](boost::system::error_code ec) { accepted = ec; });
  if (!run_until(io_, [&] { return connected && accepted; }, std::chrono::seconds(5))) {
    throw std::runtime_error("loopback: no connection within 5 s");
  }
  if (*connected) throw boost::system::system_error(*connected, "loopback connect");
  if (*accepted) throw boost::system::system_error(*accepted, "loopback accept");
  // A reset rather than TIME_WAIT at the end: a fuzz run makes millions of connections.
  pair.client.set_option(net::socket_base::linger(true, 0));
  return pair;
}

awaitable<void> read_all(tcp_socket& socket, std::string& out, bool& done) {
  std::array<char, 16 * 1024> buffer;
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(net::buffer(buffer), use_tuple);
    out.append(buffer.data(), n);
    if (ec) break;
  }
  done = true;
}

bool run_until(net::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit,
               const std::function<void()>& idle) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (io.stopped()) io.restart();
    if (io.poll() > 0) continue;
    if (idle) idle();
    io.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace llmd::fuzz
