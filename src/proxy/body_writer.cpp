#include "llmd/proxy/body_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>

namespace llmd::proxy {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

// An "event" that never ends is not held back without bound: past this it is passed on as is.
constexpr std::size_t hold_limit = 1024 * 1024;

}  // namespace

net::awaitable<bool> body_writer::write(std::string_view data) {
  if (data.empty()) co_return true;
  res_.body().data = const_cast<char*>(data.data());
  res_.body().size = data.size();
  res_.body().more = true;
  client_.expires_after(timeout_);
  auto [ec, n] = co_await bhttp::async_write(client_, out_, net::as_tuple(net::use_awaitable));
  co_return !ec || ec == bhttp::error::need_buffer;
}

net::awaitable<bool> body_writer::put(std::string_view piece) {
  if (!sse_) co_return co_await write(piece);
  const std::size_t whole = events_.feed(piece);
  if (held_.empty() && whole == piece.size()) {
    sent_on_boundary_ = true;
    co_return co_await write(piece);  // the usual case: whole events, no copy
  }
  if (whole == 0) {
    held_.append(piece);
    if (held_.size() <= hold_limit) co_return true;
    sent_on_boundary_ = false;
    const bool ok = co_await write(held_);
    held_.clear();
    co_return ok;
  }
  held_.append(piece.substr(0, whole));
  const bool ok = co_await write(held_);
  sent_on_boundary_ = true;
  held_.assign(piece.substr(whole));
  co_return ok;
}

net::awaitable<bool> body_writer::finish() {
  if (!held_.empty()) {
    const bool sent = co_await write(held_);
    if (!sent) co_return false;
    held_.clear();
  }
  res_.body().data = nullptr;
  res_.body().size = 0;
  res_.body().more = false;
  client_.expires_after(timeout_);
  auto [ec, n] = co_await bhttp::async_write(client_, out_, net::as_tuple(net::use_awaitable));
  client_.expires_never();
  co_return !ec;
}

net::awaitable<bool> body_writer::fail(const http::openai_error& error) {
  held_.clear();
  std::string event = sent_on_boundary_ ? "" : "\n\n";
  event += sse_error_event(error);
  const bool sent = co_await write(event);
  if (!sent) co_return false;
  co_return co_await finish();
}

}  // namespace llmd::proxy
