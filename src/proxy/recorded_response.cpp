#include "llmd/proxy/recorded_response.hpp"

namespace llmd::proxy {

awaitable<bool> respond(http::exchange& ex, request_record& record, http::response res) {
  record.status = res.result_int();
  record.bytes_out = res.body().size();
  bool keep;
  {
    const wait_timer waited(record.client_wait);
    keep = co_await http::respond(ex, std::move(res));
  }
  record.head_sent = record_clock::now();
  co_return keep;
}

}  // namespace llmd::proxy
