#include "llmd/api/prompt_blocks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace llmd::api {
namespace {

// Every piece scan_request hands over for `body`.
class collector final : public prompt_sink {
 public:
  void piece(std::string_view raw) override { pieces.emplace_back(raw); }
  std::vector<std::string> pieces;
};

std::vector<std::string> pieces_of(std::string_view body) {
  collector c;
  EXPECT_TRUE(std::holds_alternative<request_fields>(scan_request(body, &c))) << body;
  return c.pieces;
}

TEST(prompt, chat_messages_give_their_roles_and_contents_in_order) {
  EXPECT_EQ(pieces_of(R"({"model":"m","messages":[{"role":"system","content":"Be brief."},)"
                      R"({"content":"Hi \"you\"","role":"user","name":"x"}],"user":"u"})"),
            (std::vector<std::string>{"system", "Be brief.", R"(Hi \"you\")", "user"}));
}

TEST(prompt, content_parts_give_their_text) {
  EXPECT_EQ(pieces_of(R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"},)"
                      R"({"type":"image_url","image_url":{"url":"u"}},{"type":"text","text":"b"}]}]})"),
            (std::vector<std::string>{"user", "a", "b"}));
}

TEST(prompt, completions_give_the_prompt_text_or_token_ids) {
  EXPECT_EQ(pieces_of(R"({"model":"m","prompt":"Once upon"})"), (std::vector<std::string>{"Once upon"}));
  EXPECT_EQ(pieces_of(R"({"prompt":["a","b"]})"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(pieces_of(R"({"prompt":[[1,2],[30]]})"), (std::vector<std::string>{"1", "2", "30"}));
}

TEST(prompt, keys_elsewhere_give_nothing) {
  EXPECT_TRUE(pieces_of(R"({"model":"m","x":{"messages":[{"role":"user","content":"no"}],"prompt":"no"},)"
                        R"("tools":[{"content":"no","text":"no"}],"messages":"not a list"})")
                  .empty());
}

TEST(prompt_blocks, cuts_full_blocks_each_chained_to_the_ones_before) {
  prompt_blocks blocks(8);
  blocks.piece("abcdefghij");  // with its separator: 11 bytes, one block and 3 left over
  ASSERT_EQ(blocks.hashes().size(), 1u);
  EXPECT_EQ(blocks.hashes()[0], block_hash("abcdefgh", 0));
  blocks.piece("klmno");  // "ij\x1e" + "klmno" + "\x1e": the second block and 1 left over
  ASSERT_EQ(blocks.hashes().size(), 2u);
  EXPECT_EQ(blocks.hashes()[1], block_hash("ij\x1eklmno", blocks.hashes()[0]));
}

TEST(prompt_blocks, shared_prefixes_share_leading_hashes_only) {
  const std::string system(600, 's');
  prompt_blocks a(256), b(256);
  a.piece(system);
  a.piece("first question");
  b.piece(system);
  b.piece("another question entirely, and longer than the first");
  ASSERT_EQ(a.hashes().size(), 2u);
  ASSERT_EQ(b.hashes().size(), 2u);
  EXPECT_TRUE(std::ranges::equal(a.hashes(), b.hashes()));  // both blocks lie within the system prompt
  prompt_blocks c(256);
  c.piece(std::string(300, 's'));
  c.piece(std::string(300, 't'));
  EXPECT_EQ(c.hashes()[0], a.hashes()[0]);
  EXPECT_NE(c.hashes()[1], a.hashes()[1]);
  // The same block after different blocks hashes differently.
  EXPECT_NE(block_hash("x", 1), block_hash("x", 2));
}

TEST(prompt_blocks, a_prompt_shorter_than_a_block_has_none) {
  prompt_blocks blocks(256);
  blocks.piece("Write a haiku about load balancers.");
  EXPECT_TRUE(blocks.hashes().empty());
}

}  // namespace
}  // namespace llmd::api
