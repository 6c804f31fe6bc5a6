#include "llmd/upstream/response_parser.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>
#include <vector>

namespace llmd::upstream {
namespace {

namespace bhttp = boost::beast::http;

// Feeds `wire` to the parser the way a read loop does, one put per call, and collects the
// body pieces it hands over.
std::vector<std::string> read_all(response_parser& parser, std::string_view wire) {
  std::vector<std::string> pieces;
  boost::system::error_code ec;
  while (!parser.is_done()) {
    const auto used = parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
    EXPECT_FALSE(ec) << ec.message();
    if (ec) break;
    wire.remove_prefix(used);
    if (const auto piece = parser.take_piece(); !piece.empty()) pieces.emplace_back(piece);
  }
  return pieces;
}

TEST(response_parser, keeps_status_reason_and_every_field_in_order) {
  http::field_list fields;
  response_parser parser(fields, 64 * 1024);
  read_all(parser, "HTTP/1.1 429 Slow Down\r\nRetry-After: 2\r\nx-trace: a\r\nx-trace: b\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(parser.status(), 429u);
  EXPECT_EQ(parser.reason(), "Slow Down");
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].id, bhttp::field::retry_after);
  EXPECT_EQ(fields[0].name, "Retry-After");
  EXPECT_EQ(fields[0].value, "2");
  EXPECT_EQ(fields[1].id, bhttp::field::unknown);
  EXPECT_EQ(fields[2].name, "x-trace");
  EXPECT_EQ(fields[2].value, "b");
  EXPECT_EQ(fields.find(bhttp::field::retry_after), "2");
  EXPECT_EQ(fields.find(bhttp::field::content_type), std::nullopt);
}

TEST(response_parser, hands_over_a_chunked_body_piece_by_piece) {
  http::field_list fields;
  response_parser parser(fields, 64 * 1024);
  const auto pieces = read_all(parser,
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "6\r\ndata: \r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(pieces, (std::vector<std::string>{"data: ", "abc"}));
  EXPECT_TRUE(parser.keep_alive());
}

TEST(response_parser, hands_over_a_sized_body_and_clears_a_reused_field_list) {
  http::field_list fields;
  fields.add(bhttp::field::server, "Server", "left from the last answer");
  response_parser parser(fields, 64 * 1024);
  const auto pieces = read_all(parser, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  EXPECT_EQ(pieces, (std::vector<std::string>{"hello"}));
  EXPECT_EQ(fields.find(bhttp::field::server), std::nullopt);
  EXPECT_FALSE(parser.keep_alive());
}

// Feeds `wire` as a network would, `step` bytes more at a time behind what the parser left, until
// the header is done or the parser refuses it.
boost::system::error_code parse_header_in_steps(response_parser& parser, std::string_view wire, std::size_t step) {
  std::string unparsed;
  boost::system::error_code ec;
  while (!parser.is_header_done() && !wire.empty()) {
    const auto more = wire.substr(0, step);
    unparsed.append(more);
    wire.remove_prefix(more.size());
    unparsed.erase(0, parser.put(boost::asio::buffer(unparsed), ec));
    if (ec == bhttp::error::need_more) ec = {};
    if (ec) break;
  }
  return ec;
}

std::string fields_of(std::size_t total) {
  std::string fields;
  for (int i = 0; fields.size() < total; ++i) {
    fields += "x-pad-" + std::to_string(i) + ": " + std::string(90, 'a') + "\r\n";
  }
  return fields;
}

TEST(response_parser, refuses_a_header_over_its_limit_that_comes_a_field_at_a_time) {
  http::field_list fields;
  response_parser parser(fields, 4096);
  const auto ec = parse_header_in_steps(parser, "HTTP/1.1 200 OK\r\n" + fields_of(5000) + "\r\n", 100);
  EXPECT_EQ(ec, bhttp::error::header_limit);
  EXPECT_LT(fields.size(), 45u);
}

TEST(response_parser, takes_a_header_within_its_limit_whatever_the_steps) {
  for (const std::size_t step : {1u, 7u, 100u, 4096u}) {
    http::field_list fields;
    response_parser parser(fields, 4096);
    const auto wire = "HTTP/1.1 200 OK\r\n" + fields_of(3900) + "\r\n";
    EXPECT_FALSE(parse_header_in_steps(parser, wire, step)) << step;
    EXPECT_TRUE(parser.is_header_done()) << step;
  }
}

}  // namespace
}  // namespace llmd::upstream
