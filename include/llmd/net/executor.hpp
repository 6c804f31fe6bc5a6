// The one executor of llm-d and the I/O types bound to it. Every worker runs an io_context, so
// coroutines, sockets and timers name its executor type rather than Asio's default, the
// type-erased any_io_executor, whose copies (several per operation) cost ~7% of a request.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace llmd {

using io_executor = boost::asio::io_context::executor_type;

template <class T = void>
using awaitable = boost::asio::awaitable<T, io_executor>;

inline constexpr boost::asio::use_awaitable_t<io_executor> use_awaitable;
// Completes with (error_code, results...) instead of throwing.
inline constexpr auto use_tuple = boost::asio::as_tuple(use_awaitable);

using tcp_socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, io_executor>;
using tcp_acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, io_executor>;
using tcp_resolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, io_executor>;
using steady_timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                       boost::asio::wait_traits<std::chrono::steady_clock>, io_executor>;

}  // namespace llmd
