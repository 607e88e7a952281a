// Store::dump: the canonical form, and that parsing it gives an equal store.
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

TEST(StoreDump, CanonicalFormOfASmallStore) {
  Store s = must_parse(
      "set roles for user 'bob' [\"Z\", 'A', \"A\"]\n"
      "set 'B' path '/q/' permissions [select_topic, read_topic]\n"
      "set role 'A' locked by principal 'p\\\\x'\n"
      "isolate topic 'q'\n"
      "set 'A' permissions [VIEW_SERVER, AUTHENTICATE]\n"
      "set 'A' includes ['B']\n"
      "set 'say \"hi\"' default path permissions []\n");
  EXPECT_EQ(s.dump(),
            "set \"A\" permissions [AUTHENTICATE, VIEW_SERVER]\n"
            "set \"A\" includes [\"B\"]\n"
            "set \"B\" path \"q\" permissions [READ_TOPIC, SELECT_TOPIC]\n"
            "set \"say \\\"hi\\\"\" default path permissions []\n"
            "isolate path \"q\"\n"
            "set roles for user \"bob\" [\"A\", \"Z\"]\n"
            "set role \"A\" locked by principal \"p\\\\x\"\n");
}

TEST(StoreDump, DumpOfTheDumpIsTheSame) {
  Store s = must_parse(read_test_file("tests/data/stores/rich.store"), "rich.store");
  const std::string once = s.dump();
  Store again = must_parse(once, "dump");
  EXPECT_EQ(again.dump(), once);
}

TEST(StoreDump, ParsingTheDumpGivesAnEqualStore) {
  Store s = must_parse(read_test_file("tests/data/stores/rich.store"), "rich.store");
  Store again = must_parse(s.dump(), "dump");
  std::vector<std::string> all_roles = {"admin", "operator", "reader", "it's \"quoted\"", "temp", "ghost"};
  for (const auto& role : all_roles) EXPECT_EQ(s.has_role(role), again.has_role(role)) << role;
  for (const auto& role : all_roles) {
    EXPECT_EQ(global_names(s, {role}), global_names(again, {role})) << role;
    EXPECT_EQ(s.lock_of(role), again.lock_of(role)) << role;
    for (const char* path : {"x", "ops", "ops/logs", "ops/logs/today", "secret", "secret/x", "a\\b", "t"})
      EXPECT_EQ(path_names(s, {role}, path), path_names(again, {role}, path)) << role << " " << path;
  }
  for (const SessionSubject& w : {as_session(false, "alice", {"netops"}), as_session(true, "", {}), as_session(false, "bob", {})})
    EXPECT_EQ(s.resolve(w).role_names, again.resolve(w).role_names) << w.user;
}

TEST(StoreDump, RichStoreMeansWhatItSays) {
  Store s = must_parse(read_test_file("tests/data/stores/rich.store"), "rich.store");
  EXPECT_EQ(s.resolve(as_session(false, "alice", {"netops"})).role_names,
            Names({"admin", "it's \"quoted\"", "operator", "reader"}));
  EXPECT_EQ(path_names(s, {"admin"}, "ops/logs/x"), Names({"EXPOSE_BRANCH", "READ_TOPIC"}));
  EXPECT_EQ(path_names(s, {"operator"}, "secret/x"), Names{});
  EXPECT_EQ(path_names(s, {"operator"}, "a\\b/c"), Names({"READ_TOPIC", "UPDATE_TOPIC"}));
  EXPECT_EQ(s.lock_of("operator"), "bob");
  EXPECT_TRUE(s.has_role("ghost"));
  EXPECT_TRUE(s.has_role("temp"));
}

}  // namespace
}  // namespace secstore::testing
