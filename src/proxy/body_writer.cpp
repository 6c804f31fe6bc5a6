#include "llmd/proxy/body_writer.hpp"

#include <array>
#include <charconv>
#include <span>

#include "llmd/net/executor.hpp"
#include "llmd/net/write_all.hpp"

namespace llmd::proxy {

namespace net = boost::asio;

namespace {

// An "event" that never ends is not held back without bound: past this it is passed on as is.
constexpr std::size_t hold_limit = 1024 * 1024;

}  // namespace

awaitable<bool> body_writer::write(std::string_view data, bool last) {
  static constexpr std::string_view crlf = "\r\n";
  static constexpr std::string_view last_chunk = "0\r\n\r\n";
  std::array<net::const_buffer, 5> out;
  std::size_t n = 0;
  if (!head_.empty()) out[n++] = net::buffer(head_);
  char size_line[sizeof(std::size_t) * 2 + 2];  // "<size in hex>\r\n"
  if (!data.empty() && chunked_) {
    char* end = std::to_chars(size_line, size_line + sizeof(size_line) - 2, data.size(), 16).ptr;
    *end++ = '\r';
    *end++ = '\n';
    out[n++] = net::buffer(size_line, static_cast<std::size_t>(end - size_line));
    out[n++] = net::buffer(data);
    out[n++] = net::buffer(crlf);
  } else if (!data.empty()) {
    out[n++] = net::buffer(data);
  }
  if (last && chunked_) out[n++] = net::buffer(last_chunk);
  if (n == 0) co_return true;
  const auto since = record_clock::now();
  client_.expires_at(since + timeout_);
  const auto ec = co_await llmd::net::write_all(client_, std::span(out.data(), n));
  const auto now = record_clock::now();
  record_.client_wait += now - since;
  client_.expires_never();  // between pieces the client is not waited for
  note_sent(data.size(), now);
  co_return !ec;
}

void body_writer::note_sent(std::size_t body_bytes, record_clock::time_point now) {
  if (!head_.empty()) {
    head_.clear();
    record_.head_sent = now;
  }
  record_.bytes_out += body_bytes;
  if (sse_ && body_bytes > 0 && !record_.first_token) record_.first_token = now;
}

std::string_view body_writer::passed(std::string_view events) {
  return drop_usage_ ? without_usage_events(events, kept_) : events;
}

awaitable<bool> body_writer::send_head() { co_return co_await write({}); }

awaitable<bool> body_writer::put(std::string_view piece) {
  if (!sse_) co_return co_await write(piece);
  const std::size_t whole = events_.feed(piece);
  if (held_.empty() && whole == piece.size()) {
    sent_on_boundary_ = true;
    if (const auto done = last_data_is_done(piece)) sent_done_ = *done;
    co_return co_await write(passed(piece));  // the usual case: whole events, no copy
  }
  if (whole == 0) {
    held_.append(piece);
    if (held_.size() <= hold_limit) co_return co_await send_head();
    sent_on_boundary_ = false;
    sent_done_ = false;
    const bool ok = co_await write(held_);
    held_.clear();
    co_return ok;
  }
  held_.append(piece.substr(0, whole));
  if (const auto done = last_data_is_done(held_)) sent_done_ = *done;
  const bool ok = co_await write(passed(held_));
  sent_on_boundary_ = true;
  held_.assign(piece.substr(whole));
  co_return ok;
}

awaitable<bool> body_writer::finish() {
  const bool sent = co_await write(held_, true);
  held_.clear();
  co_return sent;
}

awaitable<bool> body_writer::end_after_done() {
  held_.clear();
  co_return co_await finish();
}

awaitable<bool> body_writer::fail(const http::openai_error& error) {
  held_.clear();
  std::string event = sent_on_boundary_ ? "" : "\n\n";
  event += sse_error_event(error);
  const bool sent = co_await write(event);
  if (!sent) co_return false;
  co_return co_await finish();
}

}  // namespace llmd::proxy
