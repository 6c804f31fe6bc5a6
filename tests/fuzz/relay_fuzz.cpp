// An upstream's answer through the relay's parts, strung together as forwarder::relay strings
// them: the first input byte chooses where the rest, the upstream's bytes, is cut into reads;
// llm-d's response parser reads them; an answer with a status to pass on has each body piece go
// to a body_writer that writes to a loopback client; the end is the relay's: finish, or after a
// break an SSE error event (none when [DONE] was the last event out), or for any other body a
// cut connection.
//
// Oracle (the client's reading is checked against the SSE spec, sse_events.hpp): the client reads
// one well-formed HTTP/1.1 response with the upstream's status; a body that ended well arrives
// whole and unchanged; after a break an event stream holds whole events only, a prefix of the
// upstream's, then one OpenAI-shaped error event unless its last event was [DONE]; any other
// broken body is visibly cut short. Inputs stay under body_writer's 1 MiB hold limit (fuzz.sh's
// -max_len), past which a partial event is passed on by design.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "llmd/http/openai_error.hpp"
#include "llmd/proxy/body_writer.hpp"
#include "llmd/proxy/headers.hpp"
#include "llmd/proxy/sse.hpp"
#include "llmd/proxy/usage_scanner.hpp"
#include "llmd/upstream/outcome.hpp"
#include "loopback.hpp"
#include "oracle.hpp"
#include "responses.hpp"
#include "splits.hpp"
#include "sse_events.hpp"
#include "upstream_reads.hpp"

namespace llmd::fuzz {
namespace {

namespace net = boost::asio;

const http::openai_error broke{"upstream broke", "api_error", "upstream_broken", ""};

// How the relay ended.
enum class relay_end { not_relayed, finished, error_event, cut };

struct relay_run {
  relay_end end = relay_end::not_relayed;
  unsigned status = 0;
  bool broken = false;
  std::string upstream_body;  // the body pieces the parser gave, in order
};

awaitable<void> relay_body(llmd::net::timed_socket& client, upstream::response_parser& parser, upstream_reads& up,
                           relay_run& run) {
  proxy::relay_fields add{.version = 11, .request_id = "fuzz", .backend = "fuzz"};
  if (const auto length = parser.content_length()) {
    add.content_length = *length;
  } else if (parser.is_done()) {
    add.content_length = 0;
  } else {
    add.chunked = true;
  }
  const auto format = proxy::usage_format(parser.fields());
  const bool sse = format ? *format == proxy::body_format::event_stream : proxy::is_event_stream(parser.fields());
  proxy::request_record record;
  proxy::body_writer out(client, proxy::relayed_head(parser.status(), parser.reason(), parser.fields(), add),
                         add.chunked, std::chrono::seconds(5), sse, record);
  run.status = parser.status();
  if (up.buffered() == 0 && !parser.is_done()) {
    const bool sent = co_await out.send_head();
    if (!sent) co_return;
  }
  while (!parser.is_done() && !run.broken) {
    const auto piece = up.next_piece(run.broken);
    run.upstream_body.append(piece);
    if (piece.empty()) continue;
    const bool sent = co_await out.put(piece);
    if (!sent) co_return;
  }
  if (!run.broken) {
    run.end = relay_end::finished;
    co_await out.finish();
  } else if (out.sent_done()) {
    run.end = relay_end::finished;
    co_await out.end_after_done();
  } else if (!sse || parser.content_length()) {
    run.end = relay_end::cut;
  } else {
    run.end = relay_end::error_event;
    co_await out.fail(broke);
  }
}

awaitable<void> relay(tcp_socket socket, std::vector<std::string_view> reads, relay_run& run) {
  llmd::net::timed_socket client(std::move(socket));
  http::field_list fields;
  upstream::response_parser parser(fields, 64 * 1024);
  parser.body_limit(boost::none);
  upstream_reads up(parser, std::move(reads));
  // An answer without a whole header, or with a status not to pass on, is a failed attempt.
  if (up.header() && upstream::classify_status(parser.status()) == upstream::outcome::ok) {
    co_await relay_body(client, parser, up, run);
  }
}

// What an event stream's client saw after a break.
void check_broken_stream(const std::string& body, const relay_run& run) {
  const std::string error_event = proxy::sse_error_event(broke);
  const bool error_sent = run.end == relay_end::error_event;
  check(!error_sent || body.ends_with(error_event), "no error event ends a broken stream", body);
  const std::string_view before = std::string_view(body).substr(0, body.size() - (error_sent ? error_event.size() : 0));
  check(std::string_view(run.upstream_body).starts_with(before), "a broken stream is not the upstream's", body);
  const auto events = read_events(before);
  check(events.whole, "a broken stream ends in half an event", body);
  const bool done_last = !events.events.empty() && events.events.back() == "[DONE]";
  check(error_sent != done_last, error_sent ? "an error event follows [DONE]" : "a broken stream ends unannounced",
        body);
  if (error_sent) {
    const auto error = read_events(error_event);
    check(error.whole && error.events.size() == 1 && openai_error_problem(error.events.front()).empty(),
          "the error event is not one OpenAI-shaped event", error_event);
  }
}

void check_client(std::string_view read, const relay_run& run) {
  std::size_t used = 0;
  const auto res = read_response(read, false, used);
  if (run.end == relay_end::cut) {
    check(!res, "a broken body looks whole to the client", read);
    return;
  }
  check(res && used == read.size(), "the client did not read one whole response", read);
  check(res->result_int() == run.status, "the client got another status", read);
  if (run.broken) return check_broken_stream(res->body(), run);
  check(res->body() == run.upstream_body, "the body changed on its way", read);
}

}  // namespace
}  // namespace llmd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llmd::fuzz;
  if (size == 0) return 0;
  static net::io_context& io = *new net::io_context;
  static loopback& loop = *new loopback(io);
  const std::string_view upstream_bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto [client, server] = loop.connect();
  relay_run run;
  bool relayed = false;
  bool read = false;
  std::string answer;
  net::co_spawn(io, relay(std::move(server), split(upstream_bytes, data[0]), run), [&](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
    relayed = true;
  });
  net::co_spawn(io, read_all(client, answer, read), net::detached);
  if (!run_until(io, [&] { return relayed && read; }, std::chrono::seconds(5))) {
    fail("the relay did not end within 5 s");
  }
  if (run.end == relay_end::not_relayed) {
    check(answer.empty(), "an answer not relayed reached the client", answer);
  } else {
    check_client(answer, run);
  }
  return 0;
}
