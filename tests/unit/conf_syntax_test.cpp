// secstore.conf syntax (SPEC §3): comments, case, quoting, lists, scopes,
// and errors located where the problem starts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>

#include "conf_test_support.hpp"

namespace secstore::test {
namespace {

using ::testing::HasSubstr;

SessionSubject user_facts(const std::string& user, uid_t uid = 1000) { return subject_of(user, uid); }

TEST(ConfSyntax, EmptyFileHasNoScopes) {
  auto conf = parse_conf("");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"));
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan.value->matched.empty());
  EXPECT_TRUE(plan.value->caps.empty());
}

TEST(ConfSyntax, HashAndBlockCommentsAreIgnored) {
  auto conf = parse_conf(
      "# a line comment\n"
      "/* a block comment\n"
      "   over lines, with a # inside and a { brace */\n"
      "Security { # trailing comment\n"
      "  user = alice /* inline */\n"
      "  capabilities = \"cap_net_bind_service+ep\" # done\n"
      "}\n");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->caps.ambient, cap_bit(CAP_NET_BIND_SERVICE));
}

TEST(ConfSyntax, BlockCommentsDoNotNest) {
  // The first */ closes the comment, so the second */ is stray text.
  auto conf = parse_conf("/* outer /* inner */ still comment? */\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:1:"));
}

TEST(ConfSyntax, UnterminatedBlockCommentIsReportedWhereItStarts) {
  auto conf = parse_conf("Security {\n}\n  /* never closed\n\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:3:3: error:"));
  EXPECT_THAT(first_error(conf), HasSubstr("never closed"));
}

TEST(ConfSyntax, ScopeAndOptionNamesAreCaseInsensitive) {
  auto conf = parse_conf(
      "SECURITY {\n  USER = alice\n  Capabilities = \"cap_net_raw+ep\"\n}\n"
      "security {\n  User = alice\n  SUPPLEMENTAL_GROUPS = ( audio )\n}\n");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->matched.size(), 2u);
  EXPECT_EQ(plan.value->caps.ambient, cap_bit(CAP_NET_RAW));
  EXPECT_EQ(plan.value->supplemental_groups, std::vector<std::string>{"audio"});
}

TEST(ConfSyntax, ValuesAreCaseSensitive) {
  auto conf = parse_conf("Security { user = Alice\n capabilities = \"cap_net_raw+ep\" }\n");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"));
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan.value->matched.empty());
}

TEST(ConfSyntax, WhitespaceIsFree) {
  auto conf = parse_conf("Security{user=alice chroot=\"/srv/a\"}");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->chroot, "/srv/a");
}

TEST(ConfSyntax, UnquotedSlashIsAnErrorAtTheSlash) {
  auto conf = parse_conf("Security {\n  chroot = /srv/jail\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:12: error:"));
  EXPECT_THAT(first_error(conf), HasSubstr("must be quoted"));
}

TEST(ConfSyntax, SlashInsideABareValueIsAnError) {
  auto conf = parse_conf("Security {\n  user = a/b\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:11: error:"));
}

TEST(ConfSyntax, SingleQuotesAndBracketsAreNotPartOfTheSyntax) {
  EXPECT_THAT(first_error(parse_conf("Security { user = 'alice' }")), HasSubstr("1:19"));
  EXPECT_THAT(first_error(parse_conf("Security { role = [ a ] }")), HasSubstr("parentheses"));
}

TEST(ConfSyntax, QuotedValuesMayHoldAnything) {
  auto conf = parse_conf("Security \"web {1}\" {\n  role = \"ops team # (x)\"\n  chroot = \"/srv/a b\"\n}\n");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"), {"ops team # (x)"});
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan.value->matched.size(), 1u);
  EXPECT_EQ(plan.value->matched[0].name, "web {1}");
  EXPECT_EQ(plan.value->chroot, "/srv/a b");
}

TEST(ConfSyntax, BackslashEscapesInsideQuotes) {
  auto conf = parse_conf("Security { role = \"say \\\"hi\\\" \\\\ now\" }");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"), {"say \"hi\" \\ now"});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->matched.size(), 1u);
}

// The lexer keeps each unescaped value apart from the text: many of them
// in one file must each keep its own value.
TEST(ConfSyntax, EveryEscapedValueKeepsItsOwnText) {
  std::string text = "Security \"e\\\"x\" {\n  role = (";
  for (int i = 0; i < 40; ++i) text += " \"r\\\\" + std::to_string(i) + "\"";
  text += " )\n  chroot = \"/srv/\\\"j\"\n}\n";
  auto conf = parse_conf(text);
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  for (int i : {0, 17, 39}) {
    auto plan = plan_for(*conf.value, user_facts("alice"), {"r\\" + std::to_string(i)});
    ASSERT_TRUE(plan.ok());
    ASSERT_EQ(plan.value->matched.size(), 1u) << i;
    EXPECT_EQ(plan.value->matched[0].name, "e\"x");
    EXPECT_EQ(plan.value->chroot, "/srv/\"j");
  }
  auto plan = plan_for(*conf.value, user_facts("alice"), {"r\\40"});
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan.value->matched.empty());
}

TEST(ConfSyntax, UnterminatedStringIsReportedWhereItStarts) {
  auto conf = parse_conf("Security {\n  chroot = \"/srv/jail\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:12: error:"));
  EXPECT_THAT(first_error(conf), HasSubstr("not closed"));
}

TEST(ConfSyntax, UnterminatedScopeIsReportedWhereItStarts) {
  auto conf = parse_conf("\n  Security {\n  user = alice\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:12: error:"));
  EXPECT_THAT(first_error(conf), HasSubstr("never closed"));
}

TEST(ConfSyntax, UnterminatedListIsReportedWhereItStarts) {
  auto conf = parse_conf("Security {\n  role = ( a b\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:10"));
}

TEST(ConfSyntax, StrayClosingBraceIsAnError) {
  auto conf = parse_conf("Security { }\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:1"));
}

TEST(ConfSyntax, OptionWithoutValueIsAnError) {
  auto conf = parse_conf("Security {\n  user =\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:3:1"));
  EXPECT_THAT(first_error(conf), HasSubstr("expected a value"));
}

TEST(ConfSyntax, ListsHoldBareAndQuotedItems) {
  auto conf = parse_conf("Security {\n  supplemental_groups = ( audio \"video\" 44 )\n}\n");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  auto plan = plan_for(*conf.value, user_facts("alice"));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value->supplemental_groups, (std::vector<std::string>{"audio", "video", "44"}));
}

TEST(ConfSyntax, UnknownScopeIsAnErrorWithLineAndColumn) {
  auto conf = parse_conf("\n  Threading { }\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:3: error: unknown scope \"Threading\""));
}

TEST(ConfSyntax, UnknownTopLevelOptionIsAnError) {
  auto conf = parse_conf("debug_flags = ( all )\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:1:1: error: unknown option \"debug_flags\""));
}

TEST(ConfSyntax, UnknownOptionInSecurityIsAnErrorWithLineAndColumn) {
  auto conf = parse_conf("Security {\n  user = alice\n    capabilites = \"cap_net_raw+ep\"\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:3:5: error: unknown option \"capabilites\""));
}

TEST(ConfSyntax, ScopesDoNotNestInsideSecurity) {
  auto conf = parse_conf("Security {\n  Security { }\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:3"));
}

TEST(ConfSyntax, ControlCharactersInStringsAreRefused) {
  auto conf = parse_conf(std::string("Security {\n  chroot = \"/srv\0/x\"\n}\n", 34));
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:17: error: unexpected control character"));
}

TEST(ConfSyntax, DeepNestingIsAnErrorNotACrash) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "a{";
  auto conf = parse_conf(text);
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("nest deeper"));
}

TEST(ConfSyntax, EveryUnknownOptionIsReported) {
  auto conf = parse_conf("Security {\n  foo = 1\n  bar = 2\n}\n");
  ASSERT_FALSE(conf.ok());
  int errors = 0;
  for (const auto& d : conf.diagnostics) errors += d.severity == Severity::Error;
  EXPECT_EQ(errors, 2);
}

}  // namespace
}  // namespace secstore::test
