// SPEC §2.1/§2.2: what the Security.store reader accepts and how it says no.
#include <gtest/gtest.h>

#include "fuzz/fuzz_checks.hpp"
#include "store/lexer.hpp"
#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

// The first error's full text, or "" when the text parses.
std::string first_error(const std::string& text) {
  auto out = Store::parse(text, "s.store");
  const Diagnostic* e = out.first_error();
  return e ? e->str() : std::string();
}

// Most of a store is `set "R" path "P" permissions [...]`, which the loader
// reads through a shortcut before the lexer and parser. Every line it takes
// must be the statement they read; every other line is theirs. Each line
// below says whether the shortcut should take it.
TEST(StoreSyntax, ThePathStatementShortcutReadsLinesAsTheParserDoes) {
  const std::vector<std::pair<std::string, bool>> lines = {
      {"set \"r\" path \"a/b\" permissions [READ_TOPIC]", true},
      {"SET \"r\" PATH \"a/b\" Permissions [read_topic, Select_Topic]", true},
      {"  set 'r' topic '/a//b/' permissions [READ_TOPIC, SELECT_TOPIC]  # why", true},
      {"set\"r\"path\"a\"permissions[READ_TOPIC]", true},
      {"set \"r\" path \"a\" permissions []", true},
      {"set \"r\" path \"a\" permissions [READ_TOPIC,]", true},
      {"set \"r\" path \"a\" permissions [READ_TOPIC SELECT_TOPIC]", true},
      {"\tset\t\"r\"\tpath\t\"a\"\fpermissions\v[ READ_TOPIC ]\r", true},
      {"set \"r\" path \"a\" permissions [READ_TOPIC]#comment", true},
      {"set \"r\" path \"a b\" permissions [EXPOSE_BRANCH]", true},
      {"set \"\x80\xff\" path \"\x7f/\x01\" permissions [READ_TOPIC]", true},
      {"set \"r\" path \"a\" permissions [QUERY_OBSOLETE_TIME_SERIES_EVENTS, EDIT_OWN_TIME_SERIES_EVENTS]", true},
      // Valid, but not the shortcut's: escapes, other statements.
      {"set \"r\\\"x\" path \"a\" permissions [READ_TOPIC]", false},
      {"set \"r\" path \"a\\\\b\" permissions [READ_TOPIC]", false},
      {"set \"r\" default path permissions [READ_TOPIC]", false},
      {"set \"r\" permissions [AUTHENTICATE]", false},
      {"remove \"r\" permissions for path \"a\"", false},
      // Errors, each the parser's to report.
      {"set \"r\" path \"a\" permissions [,READ_TOPIC]", false},
      {"set \"r\" path \"a\" permissions [READ_TOPIC,,SELECT_TOPIC]", false},
      {"set \"r\" path \"a\" permissions [AUTHENTICATE]", false},
      {"set \"r\" path \"a\" permissions [READ_TOPIC] extra", false},
      {"set \"r\" path \"a\" permissions [READ_TOPIC] @", false},
      {"set \"r\" path \"a\" permissions [READ_TOPIC", false},
      {"set \"r\" path \"a\" permissions [READ_TOPIC]]", false},
      {"set \"r\" path \"a\" permissions [[READ_TOPIC]", false},
      {"set \"r\" path \"a\" permissions [READ_TOPIC_X]", false},
      {"set \"r\" path \"a\" permissions [\"READ_TOPIC\"]", false},
      {"set \"r\" path \"a\" permissions [\x80]", false},
      {"set \"r\" path \"a\" permissions [READ_TOPIC\x7f]", false},
      {"set \"\" path \"a\" permissions []", false},
      {"set \"r\" path \"//\" permissions []", false},
      {"set \"r\" path \"\" permissions []", false},
      {"set \"r\" paths \"a\" permissions []", false},
      {"set \"r\" path \"a\" permission [READ_TOPIC]", false},
      {"set \"r\" path \"a\" permissiona [READ_TOPIC]", false},
      {"set \"r\" path \"a\" pErMiSsIoNs [READ_TOPIC]", true},
      {"set \"r\" path \"a\" permissionsx [READ_TOPIC]", false},
      {"set \"r\" topix \"a\" permissions []", false},
      {"set \"r\" path", false},
      {"set", false},
      {"se", false},
      {"setx \"r\" path \"a\" permissions []", false},
      {"set 'r\" path \"a\" permissions []", false},
      {"set \"r\" path \"a\" permissions", false},
      {"# set \"r\" path \"a\" permissions []", false},
      {"", false},
  };
  std::string text;
  for (const auto& [line, expected] : lines) {
    bool taken = false;
    EXPECT_EQ(fuzz::check_path_shortcut_line(line, &taken), "") << line;
    EXPECT_EQ(taken, expected) << line;
    text += line + "\n";
  }
  // As the loader gives them: each line followed by the rest of the text.
  EXPECT_EQ(fuzz::check_path_shortcut(text), "");
  EXPECT_EQ(fuzz::check_path_shortcut("set \"r\" path \"a\" permissions [READ_TOPIC]"), "");
  EXPECT_EQ(fuzz::check_path_shortcut("set \"r\" path \"a\" permissions [READ_TOPIC] # x\nset \"r\" path \"b\" "
                                      "permissions [\nREAD_TOPIC]\nset \"r\" path \"c\nd\" permissions []\n"),
            "");
}

// The shortcut matches path permission names in the text, eight bytes a
// compare, without finding the word's end first. For every name, every
// byte value in every place of it, in either case, before each way a list
// item can end: where the parser reads the line, the shortcut takes it
// too, as the same statement; where the parser refuses it, the shortcut
// leaves it to the parser. Among the bytes are DEL and the other bytes
// that equal '_' or a letter once OR-ed with 0x20.
TEST(StoreSyntax, PathPermissionNamesMatchedInPlaceAreTheParsersNames) {
  const std::string_view ends[] = {"]", ",]", " ]", "\t]", "#]", "X]", "_]", "0]", "\x7f]", "\x80]", "]]"};
  auto parser_takes = [](const std::string& line) {
    std::vector<detail::Token> tokens;
    std::string unescaped;
    detail::LexError lex_error;
    detail::Statement s;
    std::vector<detail::ParseError> errors;
    return detail::tokenize_line(line, tokens, unescaped, lex_error) && !tokens.empty() &&
           detail::parse_statement(tokens, s, errors);
  };
  std::size_t taken_lines = 0;
  for (const std::string_view canonical : path_permission_names()) {
    for (const bool lower : {false, true}) {
      std::string name(canonical);
      if (lower)
        for (char& c : name) c = static_cast<char>(c == '_' ? c : c | 0x20);
      for (std::size_t at = 0; at <= name.size(); ++at) {
        for (int byte = 0; byte < 256; ++byte) {
          if (at == name.size() && byte > 0) break;  // `at == size`: the name as it is
          std::string item = name;
          if (at < name.size()) item[at] = static_cast<char>(byte);
          for (const std::string_view end : ends) {
            const std::string line = "set \"r\" path \"a\" permissions [" + item + std::string(end);
            bool taken = false;
            ASSERT_EQ(fuzz::check_path_shortcut_line(line, &taken), "") << line;
            ASSERT_EQ(taken, parser_takes(line)) << line;
            taken_lines += taken;
          }
          // The name running to the end of the text: nothing past it is read.
          const std::string cut = "set \"r\" path \"a\" permissions [" + item;
          ASSERT_EQ(fuzz::check_path_shortcut(cut), "") << cut;
        }
      }
    }
  }
  // Taken: before each of the four ends that close a list ("]", ",]", " ]",
  // "\t]"), each name in either case as it is, and with a letter's byte
  // replaced by either case of it (an underscore's byte only by itself).
  std::size_t items = 0;
  for (const std::string_view canonical : path_permission_names()) {
    items += 1;
    for (const char c : canonical) items += c == '_' ? 1 : 2;
  }
  EXPECT_EQ(taken_lines, 2 * 4 * items);
}

// The lexer and the shortcut find a token's end sixteen bytes a step
// (store/lexer.hpp), and both would agree on a wrong end: this holds the
// step to the class table itself. Every byte value in every place of
// texts of every length to 40, from every start in a step; and two bytes
// that end the token in every pair of places, so that a step that finds
// the last such byte, or looks at its halves in the wrong order, fails.
TEST(StoreSyntax, TokenEndsFoundSixteenBytesAtATimeAreTheTablesEnds) {
  using detail::class_of;
  struct Class {
    std::uint8_t bit;
    char filler, stop;
  };
  const Class classes[] = {{detail::kWordChar, 'a', '-'}, {detail::kInDoubleQuotes, 'x', '"'},
                           {detail::kInSingleQuotes, 'x', '\''}};
  auto by_table = [](const std::string& text, std::size_t from, std::uint8_t bit) {
    while (from < text.size() && (class_of(text[from]) & bit)) ++from;
    return from;
  };
  for (const auto& c : classes) {
    for (std::size_t n = 0; n <= 40; ++n) {
      for (std::size_t at = 0; at < n; ++at) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string text(n, c.filler);
          text[at] = static_cast<char>(byte);
          for (std::size_t from = 0; from <= std::min<std::size_t>(n, 16); ++from)
            ASSERT_EQ(detail::span_of(text.data(), from, n, c.bit), by_table(text, from, c.bit))
                << "class " << int(c.bit) << ", length " << n << ", byte " << byte << " at " << at << ", from " << from;
        }
      }
    }
    for (std::size_t first = 0; first < 40; ++first) {
      for (std::size_t second = first + 1; second < 40; ++second) {
        std::string text(40, c.filler);
        text[first] = c.stop;
        text[second] = c.stop;
        for (std::size_t from = 0; from <= 16; ++from)
          ASSERT_EQ(detail::span_of(text.data(), from, text.size(), c.bit), by_table(text, from, c.bit))
              << "class " << int(c.bit) << ", ends at " << first << " and " << second << ", from " << from;
      }
    }
  }
}

TEST(StoreSyntax, EmptyTextIsAnEmptyStore) {
  Store s = must_parse("");
  EXPECT_EQ(s.dump(), "");
  EXPECT_TRUE(s.resolve(SessionSubject{}).roles.empty());
}

TEST(StoreSyntax, BlankLinesAndCommentsAreIgnored) {
  Store s = must_parse("\n   \n# a comment\n\tset \"A\" permissions [AUTHENTICATE] # trailing\n\n");
  EXPECT_EQ(global_names(s, {"A"}), Names({"AUTHENTICATE"}));
}

TEST(StoreSyntax, HashInsideAStringIsNotAComment) {
  Store s = must_parse("set \"A#1\" path 'a#b' permissions [READ_TOPIC]\n");
  EXPECT_EQ(path_names(s, {"A#1"}, "a#b"), Names({"READ_TOPIC"}));
}

TEST(StoreSyntax, SingleAndDoubleQuotesAreEquivalent) {
  Store s = must_parse("set 'A' path \"p\" permissions [READ_TOPIC]\nset \"A\" path 'q' permissions [READ_TOPIC]\n");
  EXPECT_EQ(path_names(s, {"A"}, "p"), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "q"), Names({"READ_TOPIC"}));
}

TEST(StoreSyntax, BackslashMakesTheNextCharacterLiteral) {
  Store s = must_parse(R"(set 'it\'s' path "a\\b" permissions [READ_TOPIC])"
                       "\n"
                       R"(set "say \"hi\"" permissions [AUTHENTICATE])"
                       "\n"
                       R"(set 'x"y' permissions [VIEW_SERVER])"
                       "\n");
  EXPECT_TRUE(s.has_role("it's"));
  EXPECT_EQ(path_names(s, {"it's"}, "a\\b"), Names({"READ_TOPIC"}));
  EXPECT_EQ(global_names(s, {"say \"hi\""}), Names({"AUTHENTICATE"}));
  EXPECT_EQ(global_names(s, {"x\"y"}), Names({"VIEW_SERVER"}));
}

TEST(StoreSyntax, ClosingQuoteMustMatchTheOpeningOne) {
  EXPECT_EQ(first_error("set \"A' permissions []\n"),
            "s.store:1:5: error: expected a closing \" for the string opened here, found the end of the line");
}

TEST(StoreSyntax, KeywordsAndPermissionNamesAreCaseInsensitive) {
  Store s = must_parse(
      "SET \"A\" PERMISSIONS [authenticate]\n"
      "Set \"A\" Default Path Permissions [Read_Topic]\n"
      "set \"A\" TOPIC \"t\" permissions [update_topic]\n"
      "ISOLATE PATH \"i\"\n"
      "Set Roles For Named Sessions [\"A\"]\n");
  EXPECT_EQ(global_names(s, {"A"}), Names({"AUTHENTICATE"}));
  EXPECT_EQ(path_names(s, {"A"}, "q"), Names({"READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "t"), Names({"UPDATE_TOPIC"}));
  EXPECT_EQ(path_names(s, {"A"}, "i"), Names{});
  EXPECT_EQ(s.resolve(as_session(false, "u", {})).role_names, Names({"A"}));
}

TEST(StoreSyntax, RoleNamesAreCaseSensitive) {
  Store s = must_parse("set \"admin\" permissions [AUTHENTICATE]\nset \"ADMIN\" permissions [VIEW_SERVER]\n");
  EXPECT_EQ(global_names(s, {"admin"}), Names({"AUTHENTICATE"}));
  EXPECT_EQ(global_names(s, {"ADMIN"}), Names({"VIEW_SERVER"}));
}

TEST(StoreSyntax, TopicAndPathAreSynonymsEverywhere) {
  Store s = must_parse(
      "set \"A\" default topic permissions [READ_TOPIC]\n"
      "set \"A\" topic \"x\" permissions []\n"
      "isolate topic \"i\"\n"
      "set \"B\" path \"y\" permissions [READ_TOPIC]\n"
      "remove \"B\" permissions for topic \"y\"\n");
  EXPECT_EQ(path_names(s, {"A"}, "x"), Names{});
  EXPECT_EQ(path_names(s, {"A"}, "i"), Names{});
  EXPECT_EQ(path_names(s, {"B"}, "y"), Names{});
  auto again = Store::parse("deisolate topic \"i\"\n", "s");
  EXPECT_TRUE(again.ok());
}

TEST(StoreSyntax, ListsTakeCommasWhitespaceOrBoth) {
  Store s = must_parse(
      "set \"A\" default path permissions [READ_TOPIC UPDATE_TOPIC,SELECT_TOPIC ,  ACQUIRE_LOCK]\n"
      "set \"B\" includes [\"A\" 'C',\"D\"]\n");
  EXPECT_EQ(path_names(s, {"A"}, "p"), Names({"ACQUIRE_LOCK", "READ_TOPIC", "SELECT_TOPIC", "UPDATE_TOPIC"}));
  EXPECT_EQ(s.role_names(s.closure_of({"B"})), Names({"A", "B", "C", "D"}));
}

TEST(StoreSyntax, EmptyListsAreAllowed) {
  Store s = must_parse("set \"A\" permissions []\nset \"A\" permissions [ ]\nset \"A\" includes []\n");
  EXPECT_EQ(global_names(s, {"A"}), Names{});
}

TEST(StoreSyntax, LeadingOrDoubledCommaIsAnError) {
  EXPECT_EQ(first_error("set \"A\" permissions [, AUTHENTICATE]\n"),
            "s.store:1:22: error: expected global permission or ']', found ','");
  EXPECT_NE(first_error("set \"A\" permissions [AUTHENTICATE,,VIEW_SERVER]\n"), "");
}

TEST(StoreSyntax, UnclosedListIsAnError) {
  EXPECT_EQ(first_error("set \"A\" permissions [AUTHENTICATE\n"),
            "s.store:1:34: error: expected ']' to close the list opened at column 21, found the end of the line");
}

TEST(StoreSyntax, PathPermissionInGlobalListNamesItsColumnAndTheExpectedList) {
  const std::string e = first_error("set \"A\" permissions [AUTHENTICATE, READ_TOPIC]\n");
  EXPECT_EQ(e.rfind("s.store:1:36: error: expected a global permission (one of AUTHENTICATE, ", 0), 0u) << e;
  EXPECT_NE(e.find("found the path permission READ_TOPIC"), std::string::npos) << e;
}

TEST(StoreSyntax, GlobalPermissionInPathListNamesItsColumnAndTheExpectedList) {
  const std::string e = first_error("set \"A\" path \"p\" permissions [READ_TOPIC view_server]\n");
  EXPECT_EQ(e.rfind("s.store:1:42: error: expected a path permission (one of READ_TOPIC, ", 0), 0u) << e;
  EXPECT_NE(e.find("found the global permission view_server"), std::string::npos) << e;
  const std::string d = first_error("set \"A\" default path permissions [CONTROL_SERVER]\n");
  EXPECT_EQ(d.rfind("s.store:1:35: error: expected a path permission", 0), 0u) << d;
}

TEST(StoreSyntax, UnknownPermissionIsAnError) {
  const std::string e = first_error("set \"A\" permissions [FLY]\n");
  EXPECT_EQ(e.rfind("s.store:1:22: error: expected a global permission", 0), 0u) << e;
  EXPECT_NE(e.find("found the unknown permission FLY"), std::string::npos) << e;
}

TEST(StoreSyntax, EveryBadNameInAListIsReported) {
  auto out = Store::parse("set \"A\" permissions [READ_TOPIC, AUTHENTICATE, FLY]\n", "s.store");
  ASSERT_FALSE(out.ok());
  ASSERT_EQ(out.diagnostics.size(), 2u) << diagnostics_of(out);
  EXPECT_EQ(out.diagnostics[0].where.column, 22u);
  EXPECT_EQ(out.diagnostics[1].where.column, 48u);
}

TEST(StoreSyntax, UnknownStatementSaysWhatWasExpected) {
  EXPECT_EQ(first_error("grant \"A\" permissions []\n"),
            "s.store:1:1: error: expected a statement ('set', 'remove', 'isolate' or 'deisolate'), found 'grant'");
}

TEST(StoreSyntax, MissingPieceSaysWhatWasExpectedAndWhatWasFound) {
  EXPECT_EQ(first_error("set \"A\" path \"p\" [READ_TOPIC]\n"),
            "s.store:1:18: error: expected 'permissions', found '['");
  EXPECT_EQ(first_error("set A permissions []\n"),
            "s.store:1:5: error: expected a role name in quotes, 'roles' or 'role' after 'set', found 'A'");
  EXPECT_EQ(first_error("isolate \"p\"\n"), "s.store:1:9: error: expected 'path' (or 'topic'), found the string \"p\"");
  EXPECT_EQ(first_error("set roles for everyone [\"A\"]\n"),
            "s.store:1:15: error: expected 'named', 'anonymous', 'user' or 'group', found 'everyone'");
}

TEST(StoreSyntax, TrailingTokensAreAnError) {
  EXPECT_EQ(first_error("isolate path \"p\" now\n"),
            "s.store:1:18: error: expected the end of the statement, found 'now'");
}

TEST(StoreSyntax, StrayCharacterIsAnError) {
  EXPECT_EQ(first_error("set \"A\" permissions [AUTHENTICATE];\n"),
            "s.store:1:35: error: expected a keyword, a quoted string, '[', ']' or ',', found ';'");
}

TEST(StoreSyntax, EmptyRoleNameIsAnError) {
  EXPECT_EQ(first_error("set \"\" permissions []\n"), "s.store:1:5: error: expected a role name, found an empty string");
  EXPECT_EQ(first_error("set \"A\" includes [\"\"]\n"),
            "s.store:1:19: error: expected a role name in quotes, found an empty string");
}

TEST(StoreSyntax, OneErrorRejectsTheWholeFileAndEveryBadLineIsReported) {
  auto out = Store::parse(
      "set \"A\" permissions [AUTHENTICATE]\n"
      "set \"A\" permissions [READ_TOPIC]\n"
      "set \"B\" permissions [VIEW_SERVER]\n"
      "isolate path \"\"\n",
      "s.store");
  EXPECT_FALSE(out.ok());
  ASSERT_EQ(out.diagnostics.size(), 2u) << diagnostics_of(out);
  EXPECT_EQ(out.diagnostics[0].where.line, 2u);
  EXPECT_EQ(out.diagnostics[1].where.line, 4u);
}

TEST(StoreSyntax, WindowsLineEndingsAreAccepted) {
  Store s = must_parse("set \"A\" permissions [AUTHENTICATE]\r\nisolate path \"p\"\r\n");
  EXPECT_EQ(global_names(s, {"A"}), Names({"AUTHENTICATE"}));
}

TEST(StoreSyntax, ByteOrderMarkAtTheStartIsSkipped) {
  Store s = must_parse("\xEF\xBB\xBFset \"A\" permissions [AUTHENTICATE]\n");
  EXPECT_EQ(global_names(s, {"A"}), Names({"AUTHENTICATE"}));
  EXPECT_NE(first_error("set \"A\" permissions []\n\xEF\xBB\xBFisolate path \"p\"\n"), "");
}

TEST(StoreSyntax, LastLineWithoutNewlineIsRead) {
  Store s = must_parse("set \"A\" permissions [AUTHENTICATE]");
  EXPECT_EQ(global_names(s, {"A"}), Names({"AUTHENTICATE"}));
}

TEST(StoreSyntax, EveryStatementOfTheSpecParses) {
  Store s = must_parse(
      "set \"R\" permissions [AUTHENTICATE, VIEW_SESSION]\n"
      "set \"R\" default path permissions [READ_TOPIC]\n"
      "set \"R\" path \"p\" permissions [UPDATE_TOPIC]\n"
      "remove \"R\" permissions for path \"p\"\n"
      "set \"R\" includes [\"R2\"]\n"
      "set roles for named sessions [\"R\"]\n"
      "set roles for anonymous sessions [\"R2\"]\n"
      "isolate path \"p\"\n"
      "deisolate path \"p\"\n"
      "set role \"R\" locked by principal \"P\"\n"
      "set roles for user \"alice\" [\"R\"]\n"
      "set roles for group \"netops\" [\"R2\"]\n");
  EXPECT_EQ(s.lock_of("R"), "P");
  EXPECT_FALSE(s.lock_of("R2"));
}

}  // namespace
}  // namespace secstore::testing
