// Drop-ins (SPEC §2.4): STORE.d/*.store, in name order, read after the main
// store as if appended to it, one transaction; errors at the drop-in's own
// file:line:column; the directory and each file held to the file rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conf_test_support.hpp"
#include "needs_root.hpp"
#include "store_test_support.hpp"

namespace secstore::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using secstore::testing::diagnostics_of;
using secstore::testing::global_names;
using secstore::testing::Names;

class StoreDropIn : public ::testing::Test {
 protected:
  void SetUp() override {
    store = dir.write("Security.store",
                      "set \"A\" permissions [VIEW_SERVER]\n"
                      "set roles for user \"alice\" [\"A\"]\n");
  }
  Outcome<Store> load() { return Store::load(store, test_safety()); }
  Names alice_roles(const Store& s) { return s.resolve(SessionSubject::named("alice", {})).role_names; }
  ConfTempDir dir;
  std::string store;
};

TEST_F(StoreDropIn, DropInsAreReadAfterTheStoreInNameOrder) {
  // A later statement setting the same key wins: 20- after 10- after the
  // main file, whatever order the directory lists them in.
  dir.write("Security.store.d/20-last.store", "set roles for user \"alice\" [\"C\"]\n");
  dir.write("Security.store.d/10-first.store",
            "set \"C\" permissions [CONTROL_SERVER]\n"
            "set roles for user \"alice\" [\"B\"]\n");
  auto s = load();
  ASSERT_TRUE(s.ok()) << diagnostics_of(s);
  EXPECT_THAT(alice_roles(*s.value), ElementsAre("C"));
  EXPECT_THAT(global_names(*s.value, {"C"}), ElementsAre("CONTROL_SERVER"));
  auto origins = s.value->explain_roles(SessionSubject::named("alice", {}));
  ASSERT_EQ(origins.size(), 1u);
  EXPECT_EQ(origins[0].where.file, dir / "Security.store.d/20-last.store");
  EXPECT_EQ(origins[0].where.line, 1u);
}

TEST_F(StoreDropIn, OnlyVisibleNamesEndingInDotStoreAreRead) {
  dir.write("Security.store.d/.hidden.store", "set roles for user \"alice\" [\"hidden\"]\n");
  dir.write("Security.store.d/host.store.dpkg-old", "this is not a statement\n");
  dir.write("Security.store.d/README", "this is not a statement either\n");
  auto s = load();
  ASSERT_TRUE(s.ok()) << diagnostics_of(s);
  EXPECT_THAT(alice_roles(*s.value), ElementsAre("A"));
}

TEST_F(StoreDropIn, TheSourcesAreTheStoreTheDirectoryAndEachDropIn) {
  // What `secstore compile` records, so that any change to a drop-in or to
  // the directory's listing makes the index stale.
  dir.write("Security.store.d/host.store", "set roles for user \"bob\" [\"A\"]\n");
  auto s = load();
  ASSERT_TRUE(s.ok()) << diagnostics_of(s);
  std::vector<std::pair<SourceRecord::Kind, std::string>> got;
  for (const auto& r : s.value->sources()) got.emplace_back(r.kind, r.path);
  EXPECT_THAT(got, ElementsAre(std::pair{SourceRecord::Kind::File, store},
                               std::pair{SourceRecord::Kind::Directory, dir / "Security.store.d"},
                               std::pair{SourceRecord::Kind::File, dir / "Security.store.d/host.store"}));
}

TEST_F(StoreDropIn, NoDirectoryIsRecordedAsAbsent) {
  auto s = load();
  ASSERT_TRUE(s.ok()) << diagnostics_of(s);
  ASSERT_EQ(s.value->sources().size(), 2u);
  EXPECT_EQ(s.value->sources()[1].kind, SourceRecord::Kind::Absent);
  EXPECT_EQ(s.value->sources()[1].path, dir / "Security.store.d");
}

TEST_F(StoreDropIn, AnErrorNamesTheDropInsOwnLineAndNothingIsLoaded) {
  dir.write("Security.store.d/10-host.store",
            "# host roles\n"
            "set \"B\" permissions [VIEW_SERVR]\n");
  auto s = load();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(diagnostics_of(s), HasSubstr(dir / "Security.store.d/10-host.store" + ":2:22: error: "));
  EXPECT_THAT(diagnostics_of(s), HasSubstr("did you mean VIEW_SERVER?"));
}

TEST_F(StoreDropIn, ADropInUndoesWhatTheStoreSaidAsOneTransaction) {
  // Read as if appended: removing the main file's assignment removes it,
  // with no warning that it does not exist (as it would in a store of its
  // own).
  dir.write("Security.store", "set \"A\" path \"x\" permissions [READ_TOPIC]\n");
  dir.write("Security.store.d/host.store", "remove \"A\" permissions for path \"x\"\n");
  auto s = load();
  ASSERT_TRUE(s.ok()) << diagnostics_of(s);
  // (Built as a non-root user, the files also get the "pam_secstore would
  // refuse" warnings of their owner; those are not what is asserted here.)
  EXPECT_THAT(diagnostics_of(s), Not(HasSubstr("changes nothing")));
  EXPECT_THAT(secstore::testing::path_names(*s.value, {"A"}, "x"), ElementsAre());
  auto alone = Store::parse("remove \"A\" permissions for path \"x\"\n", "host.store");
  EXPECT_THAT(diagnostics_of(alone), HasSubstr("this statement changes nothing"));
}

TEST_F(StoreDropIn, AGroupWritableDropInIsRefused) {
  SECSTORE_NEEDS_ROOT("the file rule holds only for root-owned files");
  const auto host = dir.write("Security.store.d/host.store", "set roles for user \"bob\" [\"A\"]\n", 0664);
  auto s = load();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(diagnostics_of(s), host + ": error: refusing an unsafe file: it is writable by its group (mode 0664)\n");
}

TEST_F(StoreDropIn, AGroupWritableDropInDirectoryIsRefused) {
  SECSTORE_NEEDS_ROOT("the file rule holds only for root-owned files");
  dir.write("Security.store.d/host.store", "set roles for user \"bob\" [\"A\"]\n");
  dir.mkdir("Security.store.d", 0775);
  auto s = load();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(diagnostics_of(s),
            dir / "Security.store.d" + ": error: refusing an unsafe directory: it is writable by its group (mode 0775)\n");
}

}  // namespace
}  // namespace secstore::test
