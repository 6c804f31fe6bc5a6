#include "http_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace llmd::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

std::string response::header(const std::string& lower_name) const {
  auto it = header_map.find(lower_name);
  return it == header_map.end() ? "" : it->second;
}

struct connection::impl {
  net::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> stream_parser;
  char piece_buf[64 * 1024];
};

namespace {

template <class Fields>
void fill_headers(const Fields& fields, response& out) {
  for (const auto& h : fields) {
    std::string name(h.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.header_map[name] = std::string(h.value());
  }
}

void check(const boost::system::error_code& ec, const char* what) {
  if (ec) throw std::runtime_error(std::string(what) + ": " + ec.message());
}

}  // namespace

connection::connection(unsigned short port, std::chrono::milliseconds timeout) : impl_(std::make_unique<impl>()) {
  impl_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

connection::~connection() = default;

void connection::send(const std::string& method, const std::string& target, const std::string& body,
                      const headers& extra) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  bool typed = false;
  for (const auto& [name, value] : extra) {
    req.set(name, value);
    typed = typed || beast::iequals(name, "content-type");
  }
  if (!body.empty() && !typed) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  if (!body.empty() || method == "POST") req.prepare_payload();
  boost::system::error_code ec;
  bhttp::write(impl_->socket, req, ec);
  check(ec, "write request");
}

void connection::send_raw(const std::string& bytes) {
  boost::system::error_code ec;
  net::write(impl_->socket, net::buffer(bytes), ec);
  check(ec, "write");
}

response connection::read_response() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  bhttp::read(impl_->socket, impl_->buffer, parser, ec);
  check(ec, "read response");
  response out;
  out.status = parser.get().result_int();
  fill_headers(parser.get(), out);
  out.body = parser.get().body();
  return out;
}

response connection::read_header() {
  auto& parser = impl_->stream_parser.emplace();
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  bhttp::read_header(impl_->socket, impl_->buffer, parser, ec);
  check(ec, "read header");
  response out;
  out.status = parser.get().result_int();
  fill_headers(parser.get(), out);
  return out;
}

std::optional<piece> connection::read_piece() {
  auto& parser = *impl_->stream_parser;
  while (!parser.is_done()) {
    parser.get().body().data = impl_->piece_buf;
    parser.get().body().size = sizeof impl_->piece_buf;
    boost::system::error_code ec;
    bhttp::read_some(impl_->socket, impl_->buffer, parser, ec);
    if (ec == bhttp::error::need_buffer) ec = {};
    check(ec, "read body");
    const auto got = sizeof impl_->piece_buf - parser.get().body().size;
    if (got > 0) return piece{std::string(impl_->piece_buf, got), std::chrono::steady_clock::now()};
  }
  return std::nullopt;
}

std::string connection::read_until_close() {
  std::string out(static_cast<const char*>(impl_->buffer.data().data()), impl_->buffer.size());
  impl_->buffer.clear();
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    const auto n = impl_->socket.read_some(net::buffer(buf), ec);
    if (ec) return out;
    out.append(buf, n);
  }
}

void connection::close() {
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

response call(unsigned short port, const std::string& method, const std::string& target, const std::string& body,
              const headers& extra) {
  connection c(port);
  c.send(method, target, body, extra);
  return c.read_response();
}

std::string chat_body(const std::string& model, bool stream) {
  nlohmann::json j = {{"model", model}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"stream", stream}};
  return j.dump();
}

}  // namespace llmd::test
