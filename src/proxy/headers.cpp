#include "llmd/proxy/headers.hpp"

#include <boost/beast/core/string.hpp>

namespace llmd::proxy {

namespace bhttp = boost::beast::http;
using bhttp::field;

namespace {

bool hop_by_hop(field f) {
  switch (f) {
    case field::connection:
    case field::keep_alive:
    case field::proxy_connection:
    case field::proxy_authorization:
    case field::proxy_authenticate:
    case field::te:
    case field::trailer:
    case field::transfer_encoding:
    case field::upgrade:
    case field::content_length:
      return true;
    default:
      return false;
  }
}

// Headers named in Connection are hop-by-hop too.
bool named_in(std::string_view connection, std::string_view name) {
  for (auto token : bhttp::token_list(connection)) {
    if (boost::beast::iequals(token, name)) return true;
  }
  return false;
}

std::string_view connection_of(const bhttp::fields& in) {
  auto it = in.find(field::connection);
  return it == in.end() ? std::string_view{} : std::string_view(it->value());
}

bool passes(std::string_view connection, const bhttp::fields::value_type& h) {
  return !hop_by_hop(h.name()) && (connection.empty() || !named_in(connection, h.name_string()));
}

}  // namespace

namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

bool set_by_llmd(const config::model_entry& entry, std::string_view name) {
  if (boost::beast::iequals(name, "x-request-id")) return true;
  for (const auto& h : entry.headers) {
    if (boost::beast::iequals(name, h.name)) return true;
  }
  return false;
}

}  // namespace

std::string request_head(const bhttp::request_header<>& in, const config::model_entry& entry,
                         std::string_view request_id, std::size_t content_length) {
  std::string out;
  out.reserve(512);
  out += in.method_string();
  out += ' ';
  out += entry.url.path_prefix;
  out += in.target();
  out += " HTTP/1.1\r\n";
  const auto connection = connection_of(in);
  for (const auto& h : in) {
    const auto f = h.name();
    // Expect was answered by llm-d; Accept-Encoding is dropped so the body stays plain text the
    // relay can frame errors into.
    if (f == field::host || f == field::expect || f == field::accept_encoding) continue;
    if (f == field::authorization && entry.api_key) continue;
    if (passes(connection, h) && !set_by_llmd(entry, h.name_string())) append_field(out, h.name_string(), h.value());
  }
  const auto& url = entry.url;
  std::string host = url.host.find(':') == std::string::npos ? url.host : '[' + url.host + ']';
  if (url.port != "80") host += ':' + url.port;
  append_field(out, "Host", host);
  for (const auto& h : entry.headers) append_field(out, h.name, h.value);
  if (entry.api_key) append_field(out, "Authorization", "Bearer " + *entry.api_key);
  append_field(out, "x-request-id", request_id);
  append_field(out, "Content-Length", std::to_string(content_length));
  out += "\r\n";
  return out;
}

void copy_response_headers(const bhttp::fields& in, bhttp::fields& out) {
  const auto connection = connection_of(in);
  for (const auto& h : in) {
    if (passes(connection, h)) out.insert(h.name_string(), h.value());
  }
}

std::string relayed_head(const bhttp::response_header<>& upstream, const relay_fields& add) {
  std::string out;
  out.reserve(512);
  out += add.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(upstream.result_int());
  out += ' ';
  out += upstream.reason();
  out += "\r\n";
  const auto connection = connection_of(upstream);
  for (const auto& h : upstream) {
    const auto name = h.name_string();
    if (!passes(connection, h) || boost::beast::iequals(name, "x-request-id") ||
        boost::beast::iequals(name, "x-llmd-backend") || boost::beast::iequals(name, "x-llmd-attempts")) {
      continue;
    }
    append_field(out, name, h.value());
  }
  append_field(out, "x-request-id", add.request_id);
  append_field(out, "x-llmd-backend", add.backend);
  append_field(out, "x-llmd-attempts", std::to_string(add.attempts));
  if (add.content_length) {
    append_field(out, "Content-Length", std::to_string(*add.content_length));
  } else if (add.chunked) {
    append_field(out, "Transfer-Encoding", "chunked");
  }
  if (add.version == 10 && add.keep_alive) append_field(out, "Connection", "keep-alive");
  if (add.version != 10 && !add.keep_alive) append_field(out, "Connection", "close");
  out += "\r\n";
  return out;
}

}  // namespace llmd::proxy
