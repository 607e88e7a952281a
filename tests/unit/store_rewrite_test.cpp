// `secstore apply` keeps the file as written (SPEC §5): replace in place,
// append, remove what remove/deisolate undo, and say it as a unified diff.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "secstore/store.hpp"
#include "store/rewrite.hpp"

namespace secstore::detail {
namespace {

std::string in_place(const std::string& store, const std::string& script) {
  return rewrite_store_text(store, script, RewriteMode::InPlace, "old", "new").text;
}

TEST(StoreRewrite, AStatementSettingTheSameThingIsReplacedWhereItStands) {
  const std::string store =
      "# the web team\n"
      "  set 'web' permissions [view_server]   # read-only\n"
      "set \"web\" path \"svc/web\" permissions [READ_TOPIC]\n";
  EXPECT_EQ(in_place(store, "set \"web\" permissions [VIEW_SERVER, CONTROL_SERVER]\n"),
            "# the web team\n"
            "  set \"web\" permissions [VIEW_SERVER, CONTROL_SERVER]   # read-only\n"
            "set \"web\" path \"svc/web\" permissions [READ_TOPIC]\n");
  // The same path however it is spelled, and `topic` for `path`.
  EXPECT_EQ(in_place(store, "set \"web\" topic \"/svc//web/\" permissions []\n"),
            "# the web team\n"
            "  set 'web' permissions [view_server]   # read-only\n"
            "set \"web\" topic \"/svc//web/\" permissions []\n");
}

TEST(StoreRewrite, TheLastOfSeveralIsTheOneReplaced) {
  EXPECT_EQ(in_place("set \"A\" permissions []\n# later\nset \"A\" permissions [VIEW_SERVER]\n",
                     "set \"A\" permissions [CONTROL_SERVER]"),
            "set \"A\" permissions []\n# later\nset \"A\" permissions [CONTROL_SERVER]\n");
}

TEST(StoreRewrite, SomethingNewIsAppendedAndTheFileEndsWithANewline) {
  EXPECT_EQ(in_place("# only a comment", "set roles for user \"alice\" [\"A\"]  # a comment of the script\n"),
            "# only a comment\nset roles for user \"alice\" [\"A\"]\n");
  EXPECT_EQ(in_place("", "set \"A\" permissions []\n"), "set \"A\" permissions []\n");
}

TEST(StoreRewrite, RemoveAndDeisolateTakeOutEveryLineTheyUndo) {
  const std::string store =
      "set \"A\" path \"p\" permissions [READ_TOPIC]\n"
      "# keep me\n"
      "set \"A\" path \"/p/\" permissions []\n"
      "set \"B\" path \"p\" permissions [READ_TOPIC]\n"
      "isolate path \"secret\"\n";
  EXPECT_EQ(in_place(store, "remove \"A\" permissions for path \"p\"\ndeisolate path \"secret/\"\n"),
            "# keep me\nset \"B\" path \"p\" permissions [READ_TOPIC]\n");
}

TEST(StoreRewrite, CarriageReturnsAndAByteOrderMarkStay) {
  EXPECT_EQ(in_place("\xEF\xBB\xBFset \"A\" permissions []\r\n# c\r\n", "set \"A\" permissions [VIEW_SERVER]\n"),
            "\xEF\xBB\xBFset \"A\" permissions [VIEW_SERVER]\r\n# c\r\n");
}

TEST(StoreRewrite, TheDiffIsUnified) {
  std::string store;
  for (int i = 1; i <= 12; ++i) store += "# line " + std::to_string(i) + "\n";
  store += "set \"A\" permissions []\n";
  auto r = rewrite_store_text("set \"A\" permissions []\n" + store, "set \"A\" permissions [VIEW_SERVER]\nset \"B\" permissions []\n",
                              RewriteMode::InPlace, "Security.store", "Security.store (after s)");
  EXPECT_EQ(r.diff,
            "--- Security.store\n"
            "+++ Security.store (after s)\n"
            "@@ -11,4 +11,5 @@\n"
            " # line 10\n"
            " # line 11\n"
            " # line 12\n"
            "-set \"A\" permissions []\n"
            "+set \"A\" permissions [VIEW_SERVER]\n"
            "+set \"B\" permissions []\n");
  EXPECT_EQ(rewrite_store_text("# x\n", "# nothing\n", RewriteMode::InPlace, "a", "b").diff, "");
}

TEST(StoreRewrite, AFileWithoutAFinalNewlineIsShownSo) {
  auto r = rewrite_store_text("# x", "set \"A\" permissions []\n", RewriteMode::InPlace, "a", "b");
  EXPECT_EQ(r.diff, "--- a\n+++ b\n@@ -1,1 +1,2 @@\n-# x\n\\ No newline at end of file\n+# x\n+set \"A\" permissions []\n");
}

// Random scripts over a commented store: the in-place rewrite means what
// the store followed by the script means, and every comment stays.
TEST(StoreRewrite, InPlaceMeansTheSameAsTheStoreFollowedByTheScript) {
  const std::string store =
      "# roles\n"
      "set \"A\" permissions [VIEW_SERVER]  # a\n"
      "set \"B\" default path permissions [READ_TOPIC]\n"
      "\n"
      "set \"A\" path \"p\" permissions [UPDATE_TOPIC]\n"
      "set \"B\" includes [\"A\"]\n"
      "isolate path \"p/q\"\n"
      "set roles for user \"alice\" [\"A\"]   # alice\n"
      "set roles for named sessions [\"B\"]\n";
  const std::vector<std::string> vocabulary = {
      "set \"A\" permissions []", "set \"A\" permissions [CONTROL_SERVER]", "set \"B\" permissions [AUTHENTICATE]",
      "set \"A\" default path permissions []", "set \"B\" default path permissions [SELECT_TOPIC]",
      "set \"A\" path \"p\" permissions []", "set \"B\" path \"p/q\" permissions [READ_TOPIC]",
      "set \"A\" topic \"/p/q/r\" permissions [MODIFY_TOPIC]", "remove \"A\" permissions for path \"p\"",
      "remove \"B\" permissions for path \"p/q\"", "isolate path \"p\"", "deisolate path \"p/q\"",
      "deisolate path \"p\"", "set \"B\" includes []", "set \"A\" includes [\"B\"]", "set \"B\" includes [\"A\"]",
      "set roles for user \"alice\" [\"B\"]", "set roles for group \"ops\" [\"A\", \"B\"]",
      "set roles for anonymous sessions [\"A\"]", "set role \"A\" locked by principal \"bob\"",
      "# a comment of the script", ""};
  std::mt19937 random(12345);
  int checked = 0;
  for (int run = 0; run < 2000; ++run) {
    std::string script;
    const int n = 1 + static_cast<int>(random() % 6);
    for (int i = 0; i < n; ++i) script += vocabulary[random() % vocabulary.size()] + "\n";
    auto expected = Store::parse_with_script(store, "s", script, "t", "root", true);
    if (!expected.ok()) continue;  // an include cycle, say: apply refuses it
    ++checked;
    auto rewritten = in_place(store, script);
    auto reparsed = Store::parse(rewritten, "s");
    ASSERT_TRUE(reparsed.ok()) << script << "\n->\n" << rewritten;
    ASSERT_EQ(reparsed.value->dump(), expected.value->dump()) << script << "\n->\n" << rewritten;
    for (const char* comment : {"# roles\n", "  # a\n", "\n\n", "   # alice\n"})
      ASSERT_NE(rewritten.find(comment), std::string::npos) << comment << " lost:\n" << rewritten;
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace secstore::detail
