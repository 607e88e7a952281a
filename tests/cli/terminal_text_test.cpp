// What `secstore` prints never drives the admin's terminal: a name from the
// store, the conf or the command line that holds a control character (C0,
// DEL, C1) or bytes that are not UTF-8 is shown with them as \xNN in text
// output, and as \uNNNN (or U+FFFD) in JSON, whoever wrote the name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;

const std::string kStore = source_path("tests/data/cli/worked-example.store");
const std::string kConf = source_path("tests/data/cli/worked-example.conf");

// "" when `text` is safe on a terminal; else where and what the first
// offending byte is.
std::string terminal_unsafe(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || c1 || c == 0xFF)
      return "byte " + std::to_string(c) + " at offset " + std::to_string(i);
  }
  return "";
}

// Cursor up, erase the line; a C1 CSI; a byte that is never UTF-8.
const std::string kHostile = "r\x1b[1A\x1b[2K\xc2\x9b" "2J\xff";

TEST(TerminalText, DumpShowsControlCharactersInRoleNamesEscaped) {
  TempDir dir;
  auto store = dir.write("s.store", "set \"" + kHostile + "\" permissions [VIEW_SERVER]\n");
  auto r = run_secstore({"dump", "--store", store});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(terminal_unsafe(r.out), "") << r.out;
  EXPECT_EQ(r.out, "set \"r\\x1B[1A\\x1B[2K\\xC2\\x9B2J\\xFF\" permissions [VIEW_SERVER]\n");
}

TEST(TerminalText, ExplainShowsControlCharactersInNamesEscaped) {
  TempDir dir;
  auto store = dir.write("s.store", "set roles for user \"u\x1b]0;x\x07\" [\"" + kHostile + "\"]\nset \"" + kHostile +
                                        "\" permissions [VIEW_SERVER]\n");
  auto r = run_secstore({"explain", "--store", store, "--conf", kConf, "--user", "u\x1b]0;x\x07", "--groups", ""});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(terminal_unsafe(r.out), "") << r.out;
  EXPECT_THAT(r.out, HasSubstr("u\\x1B]0;x\\x07"));
  EXPECT_THAT(r.out, HasSubstr("r\\x1B[1A\\x1B[2K\\xC2\\x9B2J\\xFF"));
}

TEST(TerminalText, ErrorMessagesShowControlCharactersEscaped) {
  auto r = run_secstore({"dump", "--store", "/nonexistent/\x1b[2K.store"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(terminal_unsafe(r.err), "") << r.err;
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/\\x1B[2K.store"));
}

TEST(TerminalText, JsonEscapesC1ControlsAndDelete) {
  auto r = run_secstore({"explain", "--store", kStore, "--conf", kConf, "--user", "a\xc2\x9b" "b\x7f" "c\xc2\xa0",
                         "--groups", "", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(terminal_unsafe(r.out), "") << r.out;
  // U+00A0 is printable: it passes as it is.
  EXPECT_THAT(r.out, HasSubstr("\"user\": \"a\\u009bb\\u007fc\xc2\xa0\", "));
}

}  // namespace
}  // namespace secstore_test
