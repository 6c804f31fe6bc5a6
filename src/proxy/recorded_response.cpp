#include "llmd/proxy/recorded_response.hpp"

namespace llmd::proxy {

awaitable<bool> respond(http::exchange& ex, request_record& record, http::response res) {
  record.status = res.result_int();
  record.bytes_out = res.body().size();
  const auto since = record_clock::now();
  const bool keep = co_await http::respond(ex, std::move(res));
  const auto sent = record_clock::now();
  record.client_wait += sent - since;
  record.head_sent = sent;
  co_return keep;
}

}  // namespace llmd::proxy
