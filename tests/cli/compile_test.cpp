// `secstore compile`: writes STORE.idx beside the store; a bad store writes
// nothing and says where it is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "needs_root.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The index is compiled as the module checks it: of root's files only.
class Compile : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("pam_secstore uses only an index of root-owned files");
    conf = dir.write("secstore.conf", "");
  }
  CommandResult compile(const std::string& store) { return run_secstore({"compile", "--store", store, "--conf", conf}); }
  TempDir dir;
  std::string conf;
};

TEST_F(Compile, WritesTheIndexBesideTheStore) {
  auto store = dir.write("Security.store", "set roles for named sessions [\"staff\"]\n");
  auto r = compile(store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + store + ".idx\n");
  EXPECT_EQ(r.err, "");
  struct stat st {};
  ASSERT_EQ(::stat((store + ".idx").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(Compile, AMalformedStoreIsInvalidAndWritesNothing) {
  auto store = dir.write("s.store", "set \"R\" permissions [READ_TOPIC]\n");
  auto r = compile(store);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith(store + ":1:"));
  EXPECT_FALSE(exists(store + ".idx"));
}

TEST_F(Compile, AMissingStoreIsAnIoError) {
  auto r = compile(dir.path() + "/absent.store");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("absent.store: error: cannot open the file: No such file or directory"));
}

TEST_F(Compile, AStoreTheModuleWouldRefuseIsNotCompiled) {
  auto store = dir.write("Security.store", "", 0666);
  auto r = compile(store);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refusing an unsafe file: it is writable by others (mode 0666)"));
  EXPECT_FALSE(exists(store + ".idx"));
}

TEST_F(Compile, ThePrivateStoreGivesAPrivateIndex) {
  auto store = dir.write("Security.store", "set roles for user \"secret\" [\"x\"]\n", 0600);
  ASSERT_EQ(compile(store).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat((store + ".idx").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(Compile, RefusesExtraArguments) {
  auto r = run_secstore({"compile", "extra"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore compile: unexpected argument \"extra\""));
}

TEST_F(Compile, ApplyRecompilesAnExistingIndex) {
  auto store = dir.write("Security.store", "set roles for named sessions [\"staff\"]\n");
  ASSERT_EQ(compile(store).exit_code, 0);
  struct stat before {};
  ASSERT_EQ(::stat((store + ".idx").c_str(), &before), 0);
  auto script = dir.write("change.script", "set roles for named sessions [\"other\"]\n");
  auto r = run_secstore({"apply", "--store", store, "--conf", conf, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(store + ".idx: recompiled\n"));
  struct stat after {};
  ASSERT_EQ(::stat((store + ".idx").c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino) << "the index was not rewritten";
}

TEST_F(Compile, ApplyWritesNoIndexWhereThereWasNone) {
  auto store = dir.write("Security.store", "set roles for named sessions [\"staff\"]\n");
  auto script = dir.write("change.script", "set roles for named sessions [\"other\"]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(exists(store + ".idx"));
}

}  // namespace
}  // namespace secstore_test
