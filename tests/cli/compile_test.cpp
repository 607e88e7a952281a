// `secstore compile`: writes STORE.idx beside the store; a bad store writes
// nothing and says where it is wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

TEST(Compile, WritesTheIndexBesideTheStore) {
  TempDir dir;
  auto store = dir.write("Security.store", "set roles for named sessions [\"staff\"]\n");
  auto r = run_secstore({"compile", "--store", store});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + store + ".idx\n");
  EXPECT_EQ(r.err, "");
  struct stat st {};
  ASSERT_EQ(::stat((store + ".idx").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST(Compile, AMalformedStoreIsInvalidAndWritesNothing) {
  TempDir dir;
  auto store = dir.write("s.store", "set \"R\" permissions [READ_TOPIC]\n");
  auto r = run_secstore({"compile", "--store", store});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith(store + ":1:"));
  EXPECT_FALSE(exists(store + ".idx"));
}

TEST(Compile, AMissingStoreIsAnIoError) {
  TempDir dir;
  auto r = run_secstore({"compile", "--store", dir.path() + "/absent.store"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot open the store"));
}

TEST(Compile, RefusesExtraArguments) {
  auto r = run_secstore({"compile", "extra"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore compile: unexpected argument \"extra\""));
}

TEST(Compile, ApplyRecompilesAnExistingIndex) {
  TempDir dir;
  auto store = dir.write("Security.store", "set roles for named sessions [\"staff\"]\n");
  ASSERT_EQ(run_secstore({"compile", "--store", store}).exit_code, 0);
  struct stat before {};
  ASSERT_EQ(::stat((store + ".idx").c_str(), &before), 0);
  auto script = dir.write("change.script", "set roles for named sessions [\"other\"]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(store + ".idx: recompiled\n"));
  struct stat after {};
  ASSERT_EQ(::stat((store + ".idx").c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino) << "the index was not rewritten";
}

TEST(Compile, ApplyWritesNoIndexWhereThereWasNone) {
  TempDir dir;
  auto store = dir.write("Security.store", "set roles for named sessions [\"staff\"]\n");
  auto script = dir.write("change.script", "set roles for named sessions [\"other\"]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(exists(store + ".idx"));
}

}  // namespace
}  // namespace secstore_test
