// The text of one access-log line, appended to the worker's batch. The line's longest possible
// size is reserved first, then it is written through a pointer: no capacity check per piece and
// no format string (with fmt, the line cost more instructions than proxying the request).
#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "llmd/observe/access_log.hpp"
#include "llmd/observe/decimal.hpp"
#include "llmd/proxy/client_keys.hpp"

namespace llmd::observe {

namespace {

using proxy::record_clock;

// Room for everything but the texts: numbers, names, punctuation, one attempt's fixed part each.
constexpr std::size_t fixed_room = 768;
constexpr std::size_t step_room = 128;
// An escaped byte takes at most six (\u00XX).
constexpr std::size_t escape_growth = 6;

// The bytes a line may not carry as they are.
constexpr auto to_escape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
  return table;
}();

#if defined(__SSE2__)
// A bit for each of the sixteen bytes that a line may not carry as it is.
int to_escape_in(__m128i v) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  const __m128i last_printable = _mm_set1_epi8(0x7e);
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, last_control), v);
  const __m128i high = _mm_xor_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, last_printable), v), _mm_set1_epi8(-1));
  const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                    _mm_or_si128(control, high));
  return _mm_movemask_epi8(hits);
}
#endif

// Writes a byte a line may not carry as it is, escaped, at `p`; returns the end.
char* write_escape(char* p, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  if (c == '"' || c == '\\') {
    *p++ = '\\';
    *p++ = static_cast<char>(c);
    return p;
  }
  const char code[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
  std::memcpy(p, code, sizeof code);
  return p + sizeof code;
}

// Writes client text at `p`: printable ASCII as is, anything else (and quotes, backslashes)
// escaped, so a line is always one line of valid UTF-8 and valid JSON. Returns the end.
char* write_escaped(char* p, std::string_view t) {
  const char* from = t.data();
  const char* end = from + t.size();
#if defined(__SSE2__)
  // Sixteen at a time, stored before they are checked: what follows a byte to escape is
  // written again after its escape. Sixteen bytes left take at least sixteen bytes of room.
  while (end - from >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
    const int mask = to_escape_in(v);
    if (mask == 0) {
      from += 16;
      p += 16;
      continue;
    }
    const int clean = std::countr_zero(static_cast<unsigned>(mask));
    from += clean;
    p = write_escape(p + clean, static_cast<unsigned char>(*from++));
  }
  // Fewer than sixteen left, from four on: two overlapping halves checked as one vector, and
  // stored as they are when neither needs escaping.
  const std::size_t left = static_cast<std::size_t>(end - from);
  if (left >= 8) {
    const __m128i first = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(from));
    const __m128i last = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(end - 8));
    if (to_escape_in(_mm_unpacklo_epi64(first, last)) == 0) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p), first);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p + left - 8), last);
      return p + left;
    }
  } else if (left >= 4) {
    std::int32_t first;
    std::int32_t last;
    std::memcpy(&first, from, 4);
    std::memcpy(&last, end - 4, 4);
    // Only the low eight lanes hold bytes.
    if ((to_escape_in(_mm_unpacklo_epi32(_mm_cvtsi32_si128(first), _mm_cvtsi32_si128(last))) & 0xff) == 0) {
      std::memcpy(p, &first, 4);
      std::memcpy(p + left - 4, &last, 4);
      return p + left;
    }
  }
#endif
  for (; from != end; ++from) {
    const auto c = static_cast<unsigned char>(*from);
    if (to_escape[c]) {
      p = write_escape(p, c);
    } else {
      *p++ = static_cast<char>(c);
    }
  }
  return p;
}

// Writes through a pointer kept by value: every helper that is not inlined takes and returns it,
// so that the compiler may keep it in a register (a char store could alias it in memory).
class line_writer {
 public:
  explicit line_writer(char* at) : p_(at) {}
  char* end() const { return p_; }

  template <std::size_t N>
  void literal(const char (&text)[N]) {
    std::memcpy(p_, text, N - 1);
    p_ += N - 1;
  }
  void put(char c) { *p_++ = c; }
  void text(std::string_view t) {
    std::memcpy(p_, t.data(), t.size());
    p_ += t.size();
  }
  void number(std::uint64_t n) { p_ = write_decimal(p_, n); }

  // Seconds with `decimals` (at most 9) places, from an exact count of nanoseconds: "0.012".
  void seconds(record_clock::duration d, int decimals) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    if (ns == 0) {  // most waits
      std::memcpy(p_, "0.000000000", static_cast<std::size_t>(2 + decimals));
      p_ += 2 + decimals;
      return;
    }
    if (ns < 0) {
      put('-');
      ns = -ns;
    }
    std::int64_t unit = 1;
    for (int i = decimals; i < 9; ++i) unit *= 10;
    const std::int64_t scale = 1'000'000'000 / unit;
    const std::int64_t units = (ns + unit / 2) / unit;
    number(static_cast<std::uint64_t>(units / scale));
    put('.');
    p_ += decimals;
    write_fixed(p_, static_cast<std::uint64_t>(units % scale), decimals);
  }

  void escaped(std::string_view t) { p_ = write_escaped(p_, t); }
  // From `from` to `t`, or `absent` when there is no `t`.
  template <std::size_t N>
  void since(const std::optional<record_clock::time_point>& t, record_clock::time_point from, int decimals,
             const char (&absent)[N]) {
    if (t) {
      seconds(*t - from, decimals);
    } else {
      literal(absent);
    }
  }
  template <std::size_t N>
  void count(const std::optional<std::uint64_t>& v, const char (&absent)[N]) {
    if (v) {
      number(*v);
    } else {
      literal(absent);
    }
  }

  void quoted(std::string_view t) {
    put('"');
    escaped(t);
    put('"');
  }

  // HOST:PORT, an IPv6 host in brackets.
  // An IPv4 address is read from the socket address as it is, without Asio's calls.
  void client(const boost::asio::ip::tcp::endpoint& peer) {
    if (peer.data()->sa_family == AF_INET) {
      sockaddr_in v4;
      std::memcpy(&v4, peer.data(), sizeof v4);
      unsigned char bytes[4];
      std::memcpy(bytes, &v4.sin_addr, sizeof bytes);
      for (std::size_t i = 0; i < sizeof bytes; ++i) {
        if (i) put('.');
        number(bytes[i]);
      }
      put(':');
      number(ntohs(v4.sin_port));
      return;
    }
    put('[');
    text(peer.address().to_string());
    put(']');
    put(':');
    number(peer.port());
  }

 private:
  char* p_;
};

std::string_view group_of(const router::backend_pool& pool, int group) {
  return group >= 0 ? std::string_view(pool.groups()[group].name) : std::string_view();
}

std::string_view id_of(const router::replica* r) { return r ? std::string_view(r->id) : std::string_view(); }

std::string_view key_of(const proxy::request_record& r) { return r.key ? r.key->name() : std::string_view(); }

std::string_view or_dash(std::string_view text) { return text.empty() ? "-" : text; }

// The most bytes a record's line can take.
std::size_t room_for(const router::backend_pool& pool, const proxy::request_record& r) {
  std::size_t texts = r.method.size() + r.path.size() + r.request_id.size() + (r.model ? r.model->size() : 0);
  std::size_t names = group_of(pool, r.group).size() + id_of(r.served).size() + key_of(r).size();
  for (const auto& step : r.steps) names += step_room + group_of(pool, step.group).size() + id_of(step.backend).size();
  return fixed_room + escape_growth * texts + names;
}

char* text_line(char* at, const router::backend_pool& pool, const proxy::request_record& r) {
  line_writer out(at);
  out.client(r.client);
  out.literal(" \"");
  out.escaped(r.method);
  out.put(' ');
  out.escaped(r.path);
  out.literal("\" ");
  out.number(r.status);
  out.put(' ');
  out.seconds(r.duration(), 3);
  out.literal("s model=");
  if (r.model) {
    out.quoted(*r.model);
  } else {
    out.put('-');
  }
  out.literal(" key=");
  out.text(or_dash(key_of(r)));
  out.literal(" group=");
  out.text(or_dash(group_of(pool, r.group)));
  out.literal(" backend=");
  out.text(or_dash(id_of(r.served)));
  out.literal(" attempts=");
  out.number(static_cast<std::uint64_t>(r.attempts()));
  out.literal(" fallbacks=");
  out.number(static_cast<std::uint64_t>(r.fallbacks()));
  out.literal(" ttfb=");
  out.since(r.head_sent, r.received, 3, "-");
  out.literal(" ttft=");
  out.since(r.first_token, r.received, 3, "-");
  out.literal(" queue=");
  out.seconds(r.queue_wait, 3);
  out.literal(" overhead=");
  out.seconds(r.overhead(), 6);
  out.literal(" in=");
  out.number(r.bytes_in);
  out.literal(" out=");
  out.number(r.bytes_out);
  out.literal(" tokens=");
  out.count(r.prompt_tokens, "-");
  out.put('/');
  out.count(r.completion_tokens, "-");
  out.literal(" end=");
  out.text(proxy::describe(r.end));
  if (!r.rejected.empty()) {
    out.literal(" rejected=");
    out.text(r.rejected);
  }
  out.literal(" id=");
  out.quoted(r.request_id);
  return out.end();
}

void json_string_or_null(line_writer& out, std::string_view value) {
  if (value.empty()) {
    out.literal("null");
  } else {
    out.quoted(value);
  }
}

// The members after "time" (access_buffer writes it and the braces).
char* json_members(char* at, const router::backend_pool& pool, const proxy::request_record& r) {
  line_writer out(at);
  out.literal(",\"request_id\":");
  out.quoted(r.request_id);
  out.literal(",\"client\":\"");
  out.client(r.client);
  out.literal("\",\"method\":");
  out.quoted(r.method);
  out.literal(",\"path\":");
  out.quoted(r.path);
  out.literal(",\"status\":");
  out.number(r.status);
  out.literal(",\"model\":");
  json_string_or_null(out, r.model ? std::string_view(*r.model) : std::string_view());
  out.literal(",\"key\":");
  json_string_or_null(out, key_of(r));
  out.literal(",\"group\":");
  json_string_or_null(out, group_of(pool, r.group));
  out.literal(",\"backend\":");
  json_string_or_null(out, id_of(r.served));
  out.literal(",\"attempts\":[");
  bool first = true;
  for (const auto& step : r.steps) {
    if (!first) out.put(',');
    first = false;
    out.literal("{\"group\":");
    out.quoted(group_of(pool, step.group));
    out.literal(",\"backend\":");
    json_string_or_null(out, id_of(step.backend));
    out.literal(",\"failure\":");
    json_string_or_null(out, step.reason);
    out.literal(",\"status\":");
    if (step.status) {
      out.number(step.status);
    } else {
      out.literal("null");
    }
    out.put('}');
  }
  out.literal("],\"fallbacks\":");
  out.number(static_cast<std::uint64_t>(r.fallbacks()));
  out.literal(",\"duration_s\":");
  out.seconds(r.duration(), 6);
  out.literal(",\"ttfb_s\":");
  out.since(r.head_sent, r.received, 6, "null");
  out.literal(",\"ttft_s\":");
  out.since(r.first_token, r.received, 6, "null");
  out.literal(",\"queue_wait_s\":");
  out.seconds(r.queue_wait, 6);
  out.literal(",\"backoff_wait_s\":");
  out.seconds(r.backoff_wait, 6);
  out.literal(",\"overhead_s\":");
  out.seconds(r.overhead(), 6);
  out.literal(",\"bytes_in\":");
  out.number(r.bytes_in);
  out.literal(",\"bytes_out\":");
  out.number(r.bytes_out);
  out.literal(",\"prompt_tokens\":");
  out.count(r.prompt_tokens, "null");
  out.literal(",\"completion_tokens\":");
  out.count(r.completion_tokens, "null");
  out.literal(",\"end\":\"");
  out.text(proxy::describe(r.end));
  out.literal("\",\"rejected\":");
  json_string_or_null(out, r.rejected);
  return out.end();
}

}  // namespace

void append_line(std::string& out, const router::backend_pool& pool, const proxy::request_record& r,
                 log_format format) {
  const std::size_t start = out.size();
  out.resize(start + room_for(pool, r));
  char* const at = out.data() + start;
  const char* const end = format == log_format::json ? json_members(at, pool, r) : text_line(at, pool, r);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

}  // namespace llmd::observe
