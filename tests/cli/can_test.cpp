// `secstore can`: exit 0 yes, 1 no, 2 usage; a global permission takes no
// --path and a path permission needs one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kStore = source_path("tests/data/cli/worked-example.store");

CommandResult can(std::vector<std::string> args) {
  std::vector<std::string> full = {"can", "--store", kStore};
  full.insert(full.end(), args.begin(), args.end());
  return run_secstore(full);
}

TEST(Can, GlobalPermissionYes) {
  auto r = can({"--user", "alice", "--groups", "", "VIEW_SESSION"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "yes\n");
  EXPECT_EQ(r.err, "");
}

TEST(Can, GlobalPermissionNo) {
  auto r = can({"--user", "alice", "--groups", "", "CONTROL_SERVER"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "no\n");
  EXPECT_EQ(r.err, "");
}

TEST(Can, PermissionNamesAreCaseInsensitive) {
  EXPECT_EQ(can({"--user", "alice", "--groups", "", "register_handler"}).exit_code, 0);
}

TEST(Can, PathPermissionFollowsTheWorkedExample) {
  // Rows of SPEC §2.3 for alice (roles C and A) and netops members (B).
  EXPECT_EQ(can({"--user", "alice", "--groups", "", "UPDATE_TOPIC", "--path", "x/w"}).exit_code, 0);
  EXPECT_EQ(can({"--user", "alice", "--groups", "", "READ_TOPIC", "--path", "q"}).exit_code, 0);
  EXPECT_EQ(can({"--user", "alice", "--groups", "", "UPDATE_TOPIC", "--path", "x/y/z"}).exit_code, 1);
  EXPECT_EQ(can({"--user", "alice", "--groups", "", "READ_TOPIC", "--path", "iso"}).exit_code, 1);
  EXPECT_EQ(can({"--user", "bob", "--groups", "netops", "READ_TOPIC", "--path", "iso/in/deep"})
                .exit_code,
            0);
  EXPECT_EQ(can({"--user", "bob", "--groups", "netops", "MODIFY_TOPIC", "--path", "/x/y/z/w/"})
                .exit_code,
            0);
}

TEST(Can, AnonymousSession) {
  EXPECT_EQ(can({"--anonymous", "SELECT_TOPIC", "--path", "a/b"}).exit_code, 0);
  EXPECT_EQ(can({"--anonymous", "REGISTER_HANDLER"}).exit_code, 1);
}

TEST(Can, GlobalPermissionWithPathIsAUsageError) {
  auto r = can({"--anonymous", "VIEW_SESSION", "--path", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore can: \"VIEW_SESSION\" is a global permission: it takes "
                                "no --path\n"));
}

TEST(Can, PathPermissionWithoutPathIsAUsageError) {
  auto r = can({"--anonymous", "READ_TOPIC"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore can: \"READ_TOPIC\" is a path permission: give --path P\n"));
}

TEST(Can, UnknownPermissionIsAUsageError) {
  auto r = can({"--anonymous", "READ_TOPICS", "--path", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore can: unknown permission \"READ_TOPICS\" (did you mean READ_TOPIC?)\n"));
}

TEST(Can, MissingPermissionOrExtraArgumentIsAUsageError) {
  EXPECT_EQ(can({"--anonymous"}).exit_code, 2);
  EXPECT_EQ(can({"--anonymous", "VIEW_SESSION", "AUTHENTICATE"}).exit_code, 2);
}

TEST(Can, UnknownUserAnswersNoWithTheReason) {
  auto r = can({"--user", "secstore-no-such-user", "AUTHENTICATE"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("unknown user \"secstore-no-such-user\": the name service does not know it"));
}

TEST(Can, UnreadableStoreIsAnIoError) {
  auto r = run_secstore({"can", "--store", "/nonexistent/Security.store", "--anonymous",
                         "AUTHENTICATE"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot open the file"));
}

TEST(Can, MalformedStoreAnswersNo) {
  TempDir dir;
  auto bad = dir.write("bad.store", "set roles for anonymous sessions [\"A\"\n");
  auto r = run_secstore({"can", "--store", bad, "--anonymous", "AUTHENTICATE"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(bad + ":1:"));
}

}  // namespace
}  // namespace secstore_test
