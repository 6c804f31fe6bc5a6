#include "llmd/proxy/headers.hpp"

#include "llmd/config/display.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <charconv>
#include <concepts>

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

bool passes(std::string_view connection, field id, std::string_view name) {
  return !hop_by_hop(id) && (connection.empty() || !named_in(connection, name));
}

// The Connection header when it names other headers, else empty: close and keep-alive name none.
std::string_view naming_connection(const http::field_list& in) {
  const auto connection = in.find(field::connection).value_or(std::string_view{});
  for (auto token : bhttp::token_list(connection)) {
    if (!boost::beast::iequals(token, "close") && !boost::beast::iequals(token, "keep-alive")) return connection;
  }
  return {};
}

template <std::integral Number>
void append_number(std::string& out, Number n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
  out.append(digits, end);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

template <std::integral Number>
void append_field(std::string& out, std::string_view name, Number value) {
  out += name;
  out += ": ";
  append_number(out, value);
  out += "\r\n";
}

// The entry's root in place of the client's /v1, and the entry's query before the client's.
void append_target(std::string& out, const config::upstream_url& url, std::string_view target) {
  if (target.starts_with("/v1/")) target.remove_prefix(3);
  const auto question = target.find('?');
  const auto client_query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  out += url.root;
  out += target.substr(0, question);
  if (url.query.empty() && client_query.empty()) return;
  out += '?';
  out += url.query;
  if (!url.query.empty() && !client_query.empty()) out += '&';
  out += client_query;
}

// A client's Authorization goes only where llm-d sends no credential of its own, so a client's
// token never reaches a provider keyed by the entry, whichever header style the provider reads.
bool has_own_credential(const config::model_entry& entry) {
  if (entry.api_key) return true;
  return std::any_of(entry.headers.begin(), entry.headers.end(), [](const config::header& h) {
    return boost::beast::iequals(h.name, "Authorization") || boost::beast::iequals(h.name, "api-key") ||
           boost::beast::iequals(h.name, "x-api-key");
  });
}

bool set_by_llmd(const config::model_entry& entry, const http::field_list::field& f) {
  if (f.id == field::unknown && boost::beast::iequals(f.name, "x-request-id")) return true;
  for (const auto& h : entry.headers) {
    if (boost::beast::iequals(f.name, h.name)) return true;
  }
  return false;
}

}  // namespace

std::string request_head(const http::request& in, const config::model_entry& entry, std::string_view request_id,
                         std::size_t content_length, bool client_key) {
  std::string out;
  out.reserve(512);
  out += in.method_string();
  out += ' ';
  append_target(out, entry.url, in.target());
  out += " HTTP/1.1\r\n";
  const auto& fields = in.fields();
  const auto connection = naming_connection(fields);
  const bool withhold_authorization = client_key || has_own_credential(entry);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto h = fields[i];
    // Expect was answered by llm-d; Accept-Encoding is dropped so the body stays plain text the
    // relay can frame errors into.
    if (h.id == field::host || h.id == field::expect || h.id == field::accept_encoding) continue;
    if (h.id == field::authorization && withhold_authorization) continue;
    if (passes(connection, h.id, h.name) && !set_by_llmd(entry, h)) append_field(out, h.name, h.value);
  }
  out += "Host: ";
  config::append_host(out, entry.url);
  out += "\r\n";
  for (const auto& h : entry.headers) append_field(out, h.name, h.value);
  if (entry.api_key) {
    out += "Authorization: Bearer ";
    out += *entry.api_key;
    out += "\r\n";
  }
  append_field(out, "x-request-id", request_id);
  append_field(out, "Content-Length", content_length);
  out += "\r\n";
  return out;
}

void copy_response_headers(const http::field_list& in, bhttp::fields& out) {
  const auto connection = naming_connection(in);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto h = in[i];
    if (passes(connection, h.id, h.name)) out.insert(h.id, h.name, h.value);
  }
}

std::string relayed_head(unsigned status, std::string_view reason, const http::field_list& upstream,
                         const relay_fields& add) {
  std::string out;
  out.reserve(512);
  out += add.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_number(out, status);
  out += ' ';
  out += reason;
  out += "\r\n";
  const auto connection = naming_connection(upstream);
  for (std::size_t i = 0; i < upstream.size(); ++i) {
    const auto h = upstream[i];
    if (!passes(connection, h.id, h.name)) continue;
    if (h.id == field::unknown && (boost::beast::iequals(h.name, "x-request-id") ||
                                   boost::beast::iequals(h.name, "x-llmd-backend") ||
                                   boost::beast::iequals(h.name, "x-llmd-attempts"))) {
      continue;
    }
    // Which origins may read the answer is llm-d's to say (cors), never a backend's.
    if (h.name.size() > 15 && boost::beast::iequals(h.name.substr(0, 15), "access-control-")) continue;
    append_field(out, h.name, h.value);
  }
  append_field(out, "x-request-id", add.request_id);
  append_field(out, "x-llmd-backend", add.backend);
  append_field(out, "x-llmd-attempts", add.attempts);
  if (!add.cors_origin.empty()) {
    append_field(out, "Access-Control-Allow-Origin", add.cors_origin);
    append_field(out, "Vary", "Origin");
  }
  if (add.content_length) {
    append_field(out, "Content-Length", *add.content_length);
  } else if (add.chunked) {
    append_field(out, "Transfer-Encoding", "chunked");
  }
  if (add.version == 10 && add.keep_alive) append_field(out, "Connection", "keep-alive");
  if (add.version != 10 && !add.keep_alive) append_field(out, "Connection", "close");
  out += "\r\n";
  return out;
}

}  // namespace llmd::proxy
