#include "http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
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
#include <sstream>
#include <stdexcept>

namespace llmd::test {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

std::string response::header(const std::string& lower_name) const {
  auto it = header_map.find(lower_name);
  return it == header_map.end() ? "" : it->second;
}

// Every operation is asynchronous, run on the connection's own io_context for at most the
// timeout: blocking calls cannot have a deadline (Asio's blocking reads wait on poll() with no
// limit, whatever SO_RCVTIMEO says).
struct connection::impl {
  explicit impl(std::chrono::milliseconds t) : timeout(t) {}

  // Starts an operation with start(handler) and runs it to completion, or until the timeout,
  // when closing the socket ends it.
  template <class Start>
  error_code run(Start start);
  // The same for an operation on the plain or the TLS stream: start(stream, handler).
  template <class Start>
  error_code run_on_stream(Start start) {
    return run([&](auto handler) {
      if (tls)
        start(*tls, std::move(handler));
      else
        start(socket, std::move(handler));
    });
  }
  void connect(unsigned short port);
  void handshake(const tls_options& options);
  void shut_down();

  std::chrono::milliseconds timeout;
  net::io_context io;
  tcp::socket socket{io};
  std::optional<ssl::context> tls_context;
  std::optional<ssl::stream<tcp::socket&>> tls;
  tls_session_cache* session_cache = nullptr;
  std::string host = "127.0.0.1";
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

void check(const error_code& ec, const std::string& what) {
  if (ec) throw std::runtime_error(what + ": " + ec.message());
}

bool is_ip_address(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

template <class Start>
error_code connection::impl::run(Start start) {
  std::optional<error_code> result;
  start([&result](error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run_for(timeout);
  if (result) return *result;
  error_code ignored;
  socket.close(ignored);
  io.restart();
  io.run();
  return net::error::timed_out;
}

void connection::impl::connect(unsigned short port) {
  const tcp::endpoint to(net::ip::make_address("127.0.0.1"), port);
  check(run([&](auto handler) { socket.async_connect(to, std::move(handler)); }), "connect");
}

void connection::impl::handshake(const tls_options& options) {
  auto& context = tls_context.emplace(ssl::context::tls_client);
  if (options.max_version)
    SSL_CTX_set_max_proto_version(context.native_handle(),
                                  *options.max_version == tls_version::tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION);
  error_code ec;
  if (options.ca_file.empty())
    context.set_default_verify_paths(ec);
  else
    context.load_verify_file(options.ca_file, ec);
  check(ec, "load CA " + options.ca_file);
  if (!options.cert_file.empty()) {
    context.use_certificate_chain_file(options.cert_file, ec);
    check(ec, "load certificate " + options.cert_file);
    context.use_private_key_file(options.key_file, ssl::context::pem, ec);
    check(ec, "load key " + options.key_file);
  }
  context.set_verify_mode(options.verify ? ssl::verify_peer : ssl::verify_none);

  SSL* native = tls.emplace(socket, context).native_handle();
  if (is_ip_address(options.server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), options.server_name.c_str());
  } else {
    SSL_set_tlsext_host_name(native, options.server_name.c_str());
    SSL_set1_host(native, options.server_name.c_str());
  }
  session_cache = options.session_cache;
  if (session_cache && session_cache->session) SSL_set_session(native, session_cache->session.get());
  host = options.server_name;

  ec = run([&](auto handler) { tls->async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (!ec) return;
  std::string what = "TLS handshake: " + ec.message();
  if (const long verified = SSL_get_verify_result(native); verified != X509_V_OK)
    what += " (" + std::string(X509_verify_cert_error_string(verified)) + ")";
  throw std::runtime_error(what);
}

void connection::impl::shut_down() {
  if (!socket.is_open()) return;
  if (tls && SSL_is_init_finished(tls->native_handle())) {
    SSL* native = tls->native_handle();
    // Taken at the end: a TLS 1.3 session arrives after the handshake, with the first response.
    if (session_cache) {
      if (SSL_SESSION* kept = SSL_get1_session(native); kept && SSL_SESSION_is_resumable(kept))
        session_cache->session.reset(kept, SSL_SESSION_free);
      else
        SSL_SESSION_free(kept);
    }
    // close_notify without waiting for the server's (marked as received). OpenSSL makes the
    // session of a connection not shut down so unresumable.
    SSL_set_shutdown(native, SSL_get_shutdown(native) | SSL_RECEIVED_SHUTDOWN);
    run([&](auto handler) { tls->async_shutdown(std::move(handler)); });
  }
  error_code ignored;
  socket.close(ignored);
}

connection::connection(unsigned short port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>(timeout)) {
  impl_->connect(port);
}

connection::connection(unsigned short port, const tls_options& tls, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>(timeout)) {
  impl_->connect(port);
  impl_->handshake(tls);
}

connection::~connection() { close(); }

void connection::send(const std::string& method, const std::string& target, const std::string& body,
                      const headers& extra) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, impl_->host);
  bool typed = false;
  for (const auto& [name, value] : extra) {
    req.set(name, value);
    typed = typed || beast::iequals(name, "content-type");
  }
  if (!body.empty() && !typed) req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  if (!body.empty() || method == "POST") req.prepare_payload();
  check(impl_->run_on_stream([&](auto& s, auto handler) { bhttp::async_write(s, req, std::move(handler)); }),
        "write request");
}

void connection::send_raw(const std::string& bytes) {
  check(impl_->run_on_stream(
            [&](auto& s, auto handler) { net::async_write(s, net::buffer(bytes), std::move(handler)); }),
        "write");
}

response connection::read_response() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(boost::none);
  check(impl_->run_on_stream(
            [&](auto& s, auto handler) { bhttp::async_read(s, impl_->buffer, parser, std::move(handler)); }),
        "read response");
  response out;
  out.status = parser.get().result_int();
  fill_headers(parser.get(), out);
  out.body = parser.get().body();
  return out;
}

response connection::read_header() {
  auto& parser = impl_->stream_parser.emplace();
  parser.body_limit(boost::none);
  check(impl_->run_on_stream(
            [&](auto& s, auto handler) { bhttp::async_read_header(s, impl_->buffer, parser, std::move(handler)); }),
        "read header");
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
    auto ec = impl_->run_on_stream(
        [&](auto& s, auto handler) { bhttp::async_read_some(s, impl_->buffer, parser, std::move(handler)); });
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
  // Reads until an error, the end of the stream included; what came before it is kept.
  impl_->run_on_stream(
      [&](auto& s, auto handler) { net::async_read(s, net::dynamic_buffer(out), std::move(handler)); });
  return out;
}

void connection::close() { impl_->shut_down(); }

response call(unsigned short port, const std::string& method, const std::string& target, const std::string& body,
              const headers& extra) {
  connection c(port);
  c.send(method, target, body, extra);
  return c.read_response();
}

response call(unsigned short port, const tls_options& tls, const std::string& method, const std::string& target,
              const std::string& body, const headers& extra) {
  connection c(port, tls);
  c.send(method, target, body, extra);
  return c.read_response();
}

std::string chat_body(const std::string& model, bool stream) {
  nlohmann::json j = {{"model", model}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"stream", stream}};
  return j.dump();
}

std::string chat_stream_with_usage(const std::string& model) {
  auto j = nlohmann::json::parse(chat_body(model, true));
  j["stream_options"] = {{"include_usage", true}};
  return j.dump();
}

nlohmann::json usage_of(const std::string& body) {
  if (!body.starts_with("data:")) return nlohmann::json::parse(body).value("usage", nlohmann::json());
  nlohmann::json usage;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("data: {")) continue;
    const auto event = nlohmann::json::parse(line.substr(6));
    if (event.contains("usage") && !event["usage"].is_null()) usage = event["usage"];
  }
  return usage;
}

}  // namespace llmd::test
