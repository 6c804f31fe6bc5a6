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
  response_parser parser(fields);
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
  response_parser parser(fields);
  const auto pieces = read_all(parser,
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "6\r\ndata: \r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(pieces, (std::vector<std::string>{"data: ", "abc"}));
  EXPECT_TRUE(parser.keep_alive());
}

TEST(response_parser, hands_over_a_sized_body_and_clears_a_reused_field_list) {
  http::field_list fields;
  fields.add(bhttp::field::server, "Server", "left from the last answer");
  response_parser parser(fields);
  const auto pieces = read_all(parser, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  EXPECT_EQ(pieces, (std::vector<std::string>{"hello"}));
  EXPECT_EQ(fields.find(bhttp::field::server), std::nullopt);
  EXPECT_FALSE(parser.keep_alive());
}

}  // namespace
}  // namespace llmd::upstream
