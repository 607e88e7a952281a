// SECSTORE_ROLES's encoding (SPEC §4.6) and log escaping (SPEC §4.7): role
// and user names are any string, and neither the variable nor a log line
// may be split or forged by one.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "secstore/encoding.hpp"

namespace secstore {
namespace {

using Names = std::vector<std::string>;

TEST(RoleListEncoding, SeparatorsAndControlCharactersArePercentEncoded) {
  EXPECT_EQ(encode_role_list({"ops,admin", "a=b", "50%", std::string("nul\0x", 5), "cr\rlf\n"}),
            "ops%2Cadmin,a%3Db,50%25,nul%00x,cr%0Dlf%0A");
  EXPECT_EQ(encode_role_list({"plain", "with space", "ünïcode"}), "plain,with space,ünïcode");
  EXPECT_EQ(encode_role_list({}), "");
}

TEST(RoleListEncoding, InvalidUtf8IsEncodedByteByByte) {
  EXPECT_EQ(encode_role_list({"\xff\xc3"}), "%FF%C3");
  EXPECT_EQ(encode_role_list({"\xc0\xaf"}), "%C0%AF") << "an overlong '/' is not valid UTF-8";
}

TEST(RoleListEncoding, DecodingGivesBackTheExactNames) {
  const std::vector<Names> lists = {
      {"ops,admin", "a=b", "50%"}, {std::string("\0", 1), "%", ",", "="}, {"", "x"}, {"\xff", "é"}, {"one"}};
  for (const auto& names : lists) EXPECT_EQ(decode_role_list(encode_role_list(names)), names);
  EXPECT_EQ(decode_role_list(""), Names{});
}

TEST(LogEscaping, NoNameCanEndTheLineOrCloseItsQuotes) {
  EXPECT_EQ(log_quoted("alice\nsession opened for user \"root\""),
            "\"alice\\x0Asession opened for user \\\"root\\\"\"");
  EXPECT_EQ(log_escape("back\\slash\ttab\x7f del"), "back\\\\slash\\x09tab\\x7F del");
  EXPECT_EQ(log_escape("\xc2\x85"), "\\xC2\\x85") << "U+0085 (NEL) is a C1 control";
  EXPECT_EQ(log_escape("ünï"), "ünï");
}

TEST(LogEscaping, AWholeMessageKeepsItsQuotesButNoControlCharacter) {
  EXPECT_EQ(log_safe("role \"R\"\r\nforged"), "role \"R\"\\x0D\\x0Aforged");
}

}  // namespace
}  // namespace secstore
