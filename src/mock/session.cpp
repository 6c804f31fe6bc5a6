#include "session.hpp"

#include "responses.hpp"
#include "routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <spdlog/spdlog.h>

namespace llmd::mock {

namespace {

// A client that stalls in the middle of its handshake is dropped after this long.
constexpr auto handshake_timeout = std::chrono::seconds(10);

class open_connection {
 public:
  explicit open_connection(stats_recorder& s) : stats_(s) { stats_.connection_opened(); }
  ~open_connection() { stats_.connection_closed(); }
  open_connection(const open_connection&) = delete;
  open_connection& operator=(const open_connection&) = delete;

 private:
  stats_recorder& stats_;
};

// The status to answer a request that could not be read with; 0 when the peer is gone.
int status_for(error_code ec) {
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return 0;
  return ec.category() == http::make_error_code(http::error::bad_target).category() ? 400 : 0;
}

}  // namespace

asio::awaitable<void> run_session(tcp::socket socket, context& ctx) {
  open_connection counted(ctx.stats);
  connection conn(std::move(socket), ctx.tls ? &*ctx.tls : nullptr);
  if (conn.secure()) {
    if (auto ec = co_await conn.handshake(handshake_timeout)) {
      // A client that does not trust the certificate is the usual cause: not the mock's problem.
      ctx.stats.tls_handshake_failed();
      spdlog::info("TLS handshake failed: {}", ec.message());
      co_return;
    }
    ctx.stats.tls_handshake_done(*conn.tls());
  }
  const int max_requests = ctx.opts.max_requests_per_connection;
  for (int served = 1;; ++served) {
    request req;
    if (auto ec = co_await conn.read_request(req)) {
      if (int status = status_for(ec)) {
        request unreadable;
        unreadable.keep_alive(false);
        co_await conn.write(make_error(unreadable, status, "cannot read the request: " + ec.message(), ctx.opts.name));
      }
      break;
    }
    const bool last = max_requests > 0 && served >= max_requests;
    const bool more = co_await serve(conn, std::move(req), ctx, last);
    if (!more || last) break;
  }
  co_await conn.close();
}

}  // namespace llmd::mock
