// `secstore dump`: the canonical form, which reads back to the same store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(Dump, CanonicalFormReadsBackToTheSameDump) {
  auto first = run_secstore({"dump", "--store", source_path("tests/data/cli/worked-example.store")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err, "");
  EXPECT_THAT(first.out, HasSubstr("set \"C\" includes [\"A\"]\n"));
  EXPECT_THAT(first.out, HasSubstr("set \"A\" path \"x/y\" permissions []\n"));
  TempDir dir;
  auto again = dir.write("dumped.store", first.out);
  auto second = run_secstore({"dump", "--store", again});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
}

TEST(Dump, NormalisesCaseQuotesAndPaths) {
  TempDir dir;
  auto store = dir.write("s.store", "SET 'R' PATH '/a//b/' PERMISSIONS [read_topic]\n");
  auto r = run_secstore({"dump", "--store", store});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "set \"R\" path \"a/b\" permissions [READ_TOPIC]\n");
}

TEST(Dump, MalformedStoreIsInvalid) {
  TempDir dir;
  auto store = dir.write("s.store", "set \"R\" permissions [READ_TOPIC]\n");
  auto r = run_secstore({"dump", "--store", store});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith(store + ":1:"));
}

TEST(Dump, MissingStoreIsAnIoError) {
  auto r = run_secstore({"dump", "--store", "/nonexistent/Security.store"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "/nonexistent/Security.store: error: cannot open the file: No such file or "
                   "directory\n");
}

}  // namespace
}  // namespace secstore_test
