// SECSTORE_ROLES's encoding (SPEC §4.6) and log escaping (SPEC §4.7): role
// and user names are any string, and neither the variable nor a log line
// may be split or forged by one.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
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

TEST(RoleListEncoding, AppendedItFollowsTheVariablesName) {
  std::string variable = "SECSTORE_ROLES=";
  append_encoded_role_list(variable, {"ops,admin", "b"});
  EXPECT_EQ(variable, "SECSTORE_ROLES=ops%2Cadmin,b");
  std::string empty = "SECSTORE_ROLES=";
  append_encoded_role_list(empty, {});
  EXPECT_EQ(empty, "SECSTORE_ROLES=");
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

TEST(RoleListEncoding, EscapesAtEveryPlaceInARun) {
  // Names are copied a run of plain bytes at a time: what ends a run at the
  // start, in the middle, at the end, twice in a row, or is the whole name.
  EXPECT_EQ(encode_role_list({",a", "a,", ",,", "%", "a=b=c", "", "x"}), "%2Ca,a%2C,%2C%2C,%25,a%3Db%3Dc,,x");
  EXPECT_EQ(encode_role_list({"", ""}), ",");
  EXPECT_EQ(encode_role_list({""}), "");
  EXPECT_EQ(encode_role_list({"\x01" "ab\x1f", "a\x7f" "b", "\xc2\x85" "c"}), "%01ab%1F,a%7Fb,%C2%85c");
  EXPECT_EQ(encode_role_list({"é,ü", "\xe2\x82\xac%", "a\xff" "b"}), "é%2Cü,\xe2\x82\xac%25,a%FFb");
  EXPECT_EQ(encode_role_list({"\"q\" \\"}), "\"q\" \\") << "log specials are plain here";
  // Plain names are written in place until one is not: that one is taken
  // back whole, wherever in the list and in the name its escape falls.
  EXPECT_EQ(encode_role_list({"ab", "cd,e", "f"}), "ab,cd%2Ce,f");
  EXPECT_EQ(encode_role_list({"ab", "", "c", "d\x01"}), "ab,,c,d%01");
  EXPECT_EQ(encode_role_list({"=", "ab", "c%"}), "%3D,ab,c%25");
  EXPECT_EQ(encode_role_list({"ab", "é", ""}), "ab,é,");
}

TEST(LogEscaping, AListIsAppendedEscapedAndJoined) {
  std::string out = "x ";
  append_log_escaped_list(out, {});
  EXPECT_EQ(out, "x ");
  append_log_escaped_list(out, {"a", "", "b,c"});
  EXPECT_EQ(out, "x a,,b,c") << "',' in a name is not escaped in a log line";
  append_log_escaped_list(out, {";", "d\"", "e"});
  EXPECT_EQ(out, "x a,,b,c;,d\\\",e");
}

TEST(LogEscaping, EscapesAtEveryPlaceInARun) {
  EXPECT_EQ(log_escape(""), "");
  EXPECT_EQ(log_quoted(""), "\"\"");
  EXPECT_EQ(log_escape("\"a\\"), "\\\"a\\\\");
  EXPECT_EQ(log_escape("a\"\"b"), "a\\\"\\\"b");
  EXPECT_EQ(log_escape("\tab\n"), "\\x09ab\\x0A");
  EXPECT_EQ(log_escape("a%b,c=d"), "a%b,c=d") << "role-list specials are plain here";
  EXPECT_EQ(log_escape("é\x80" "a\xc3"), "é\\x80a\\xC3");
  EXPECT_EQ(log_safe("\"\\\x1b"), "\"\\\\x1B");
}

// The encoding as SPEC §4.6 and §4.7 state it, one byte or UTF-8 sequence
// at a time, against which the run-at-a-time copy is checked.
std::string reference(std::string_view text, std::string_view special, const char* prefix, bool backslash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  auto escape = [&](std::string& o, unsigned char c) {
    if (backslash && (c == '"' || c == '\\')) {
      o += '\\';
      o += static_cast<char>(c);
      return;
    }
    o += prefix;
    o += hex[c >> 4];
    o += hex[c & 15];
  };
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = utf8_sequence_length(text, i);
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if (n == 0 || c < 0x20 || c == 0x7F || c1) {
      for (std::size_t k = 0; k < (n == 0 ? 1 : n); ++k) escape(out, static_cast<unsigned char>(text[i + k]));
      i += n == 0 ? 1 : n;
    } else if (n == 1 && special.find(static_cast<char>(c)) != std::string_view::npos) {
      escape(out, c);
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

TEST(Encoding, RunAtATimeAgreesWithByteAtATime) {
  // Every byte alone and between plain ones, then pseudo-random strings
  // drawn mostly from the bytes that end a run.
  std::vector<std::string> texts;
  for (int b = 0; b < 256; ++b) {
    const std::string one(1, static_cast<char>(b));
    texts.push_back(one);
    texts.push_back("ab" + one + "cd");
  }
  const std::string alphabet = std::string("a,%=\"\\\x01\x7f\xc2\x85\xc3\xa9\xe2\x82\xac\xff", 17) + std::string(1, '\0');
  std::uint32_t state = 12345;
  for (int t = 0; t < 2000; ++t) {
    std::string text;
    const int length = t % 13;
    for (int k = 0; k < length; ++k) {
      state = state * 1103515245u + 12345u;
      text += alphabet[(state >> 16) % alphabet.size()];
    }
    texts.push_back(text);
  }
  for (const auto& text : texts) {
    EXPECT_EQ(log_escape(text), reference(text, "\"\\", "\\x", true)) << text;
    EXPECT_EQ(log_safe(text), reference(text, "", "\\x", false)) << text;
    EXPECT_EQ(encode_role_list({text}), reference(text, "%,=", "%", false)) << text;
    EXPECT_EQ(encode_role_list({text, text}), reference(text, "%,=", "%", false) + "," + reference(text, "%,=", "%", false));
    EXPECT_EQ(decode_role_list(encode_role_list({"x", text})), (Names{"x", text}));
    std::string line = "roles ";
    append_log_escaped_list(line, {"a", text, "b", text});
    const std::string escaped = reference(text, "\"\\", "\\x", true);
    EXPECT_EQ(line, "roles a," + escaped + ",b," + escaped) << text;
  }
}

}  // namespace
}  // namespace secstore
