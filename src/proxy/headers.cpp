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
bool named_in_connection(const bhttp::fields& in, std::string_view name) {
  auto it = in.find(field::connection);
  if (it == in.end()) return false;
  for (auto token : bhttp::token_list(it->value())) {
    if (boost::beast::iequals(token, name)) return true;
  }
  return false;
}

bool passes(const bhttp::fields& in, const bhttp::fields::value_type& h) {
  return !hop_by_hop(h.name()) && !named_in_connection(in, h.name_string());
}

}  // namespace

void copy_request_headers(const bhttp::fields& in, const config::model_entry& entry, bhttp::fields& out) {
  for (const auto& h : in) {
    const auto f = h.name();
    // Expect was answered by llm-d; Accept-Encoding is dropped so the body stays plain text the
    // relay can frame errors into.
    if (f == field::host || f == field::expect || f == field::accept_encoding) continue;
    if (f == field::authorization && entry.api_key) continue;
    if (passes(in, h)) out.insert(h.name_string(), h.value());
  }
  const auto& url = entry.url;
  std::string host = url.host.find(':') == std::string::npos ? url.host : '[' + url.host + ']';
  if (url.port != "80") host += ':' + url.port;
  out.set(field::host, host);
  for (const auto& h : entry.headers) out.set(h.name, h.value);
  if (entry.api_key) out.set(field::authorization, "Bearer " + *entry.api_key);
}

void copy_response_headers(const bhttp::fields& in, bhttp::fields& out) {
  for (const auto& h : in) {
    if (passes(in, h)) out.insert(h.name_string(), h.value());
  }
}

}  // namespace llmd::proxy
