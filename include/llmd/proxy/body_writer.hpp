// The client side of the relay: body pieces go out as they arrive. For Server-Sent Events only
// whole events are sent and an incomplete trailing event is held back, so when the upstream
// breaks the client never sees half an event: it sees an error event on a clean boundary.
#pragma once

#include <string>
#include <string_view>

#include "llmd/config/config.hpp"
#include "llmd/http/openai_error.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/proxy/sse.hpp"

namespace llmd::proxy {

// It frames the body itself (chunked or as is, as the response header says), one gather write per
// piece, and sends the header with the first piece: a short answer leaves in a single write.
class body_writer {
 public:
  // `head` is the response header as relayed_head() writes it. What goes out, and when, is
  // noted in `record`.
  body_writer(llmd::net::timed_socket& client, std::string head, bool chunked, config::duration timeout, bool sse,
              request_record& record)
      : client_(client), head_(std::move(head)), chunked_(chunked), timeout_(timeout), sse_(sse), record_(record) {}

  // Sends the header now, when no piece of the body is at hand to go with it.
  awaitable<bool> send_head();
  // Sends what may go now of the next piece; false when the client is gone.
  awaitable<bool> put(std::string_view piece);
  // The upstream ended cleanly: anything held goes too, then the end of the body.
  awaitable<bool> finish();
  // The upstream failed mid-stream (SSE only): the held-back partial event is dropped and the
  // error goes as the last event, then the end of the body.
  awaitable<bool> fail(const http::openai_error& error);
  // The upstream broke after [DONE] (SSE only): the held-back partial event is dropped, and the
  // stream ends as the client has it, whole.
  awaitable<bool> end_after_done();
  // Whether the last event with data sent was [DONE], after which a stream has nothing more to say.
  bool sent_done() const { return sent_done_; }
  // Whether the header went out: the commit point, after which the answer cannot be taken back.
  bool committed() const { return head_.empty(); }
  // llm-d asked for the stream's usage, which the client did not: its event goes no further.
  void drop_usage_events() { drop_usage_ = true; }

 private:
  // Writes the header if still unsent, then `data` framed, then the end of the body if `last`.
  awaitable<bool> write(std::string_view data, bool last = false);
  // Whole events as they go to the client.
  std::string_view passed(std::string_view events);
  // `now`: when the write ended.
  void note_sent(std::size_t body_bytes, record_clock::time_point now);

  llmd::net::timed_socket& client_;
  std::string head_;  // until sent
  bool chunked_;
  config::duration timeout_;
  bool sse_;
  request_record& record_;
  sse_boundary events_;
  std::string held_;          // the start of an event whose end has not arrived
  bool sent_on_boundary_ = true;  // what the client has seen ends between two events
  bool sent_done_ = false;
  bool drop_usage_ = false;
  std::string kept_;  // whole events without the usage event, when dropping it
};

}  // namespace llmd::proxy
