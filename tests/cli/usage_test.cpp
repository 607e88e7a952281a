// The command line itself: help, version, and usage errors (exit 2, a
// one-line reason and the usage on stderr, nothing on stdout).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(Usage, NoCommandIsAUsageError) {
  auto r = run_secstore({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith("secstore: a command is required\nusage: secstore check"));
}

TEST(Usage, HelpListsEveryCommandOnStdout) {
  auto r = run_secstore({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  for (const char* command : {"check", "explain", "can", "apply", "dump", "import-pam-cap", "audit"})
    EXPECT_THAT(r.out, HasSubstr(std::string("secstore ") + command)) << command;
  EXPECT_THAT(r.out, HasSubstr("exit status: 0 success or yes, 1 invalid or no, 2 usage or I/O error"));
}

TEST(Usage, VersionPrintsTheVersion) {
  auto r = run_secstore({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "secstore " SECSTORE_VERSION "\n");
}

TEST(Usage, UnknownCommandIsAUsageError) {
  auto r = run_secstore({"chek"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore: unknown command \"chek\" (did you mean check?)\nusage:"));
}

TEST(Usage, EachCommandHasHelpListingItsOptions) {
  for (const char* command : {"check", "explain", "can", "apply", "dump", "compile", "import-pam-cap", "audit"}) {
    for (const char* help : {"--help", "-h"}) {
      auto r = run_secstore({command, help});
      EXPECT_EQ(r.exit_code, 0) << command;
      EXPECT_THAT(r.out, StartsWith(std::string("usage: secstore ") + command)) << command;
      EXPECT_THAT(r.out, HasSubstr("\noptions:\n")) << command;
      EXPECT_THAT(r.out, HasSubstr("  -h, --help")) << command;
      EXPECT_EQ(r.err, "") << command;
    }
  }
  auto r = run_secstore({"explain", "-h"});
  EXPECT_THAT(r.out, HasSubstr("    --path P"));
  EXPECT_THAT(r.out, HasSubstr("    --json"));
  EXPECT_THAT(run_secstore({"can", "-h"}).out, HasSubstr("-q, --quiet"));
}

TEST(Usage, UnknownOptionNamesTheOptionAndShowsTheCommandsUsage) {
  auto r = run_secstore({"check", "--stroe", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "secstore check: unknown option \"--stroe\" (did you mean --store?)\n"
            "usage: secstore check   [--store F] [--conf F] [--pam FILE|DIR]\n"
            "       secstore check --help\n");
}

TEST(Usage, OptionWithoutItsValue) {
  auto r = run_secstore({"dump", "--store"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore dump: option --store needs a value (F)\n"));
}

TEST(Usage, RepeatedOptionIsRefused) {
  auto r = run_secstore({"dump", "--store", "a", "--store=b"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore dump: option --store was given more than once\n"));
}

TEST(Usage, FlagWithAValueIsRefused) {
  auto r = run_secstore({"explain", "--anonymous=yes"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore explain: option --anonymous takes no value\n"));
}

TEST(Usage, StrayArgumentIsRefused) {
  auto r = run_secstore({"check", "extra"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("secstore check: unexpected argument \"extra\"\n"));
}

TEST(Usage, OptionValueMayBeJoinedWithEquals) {
  auto r = run_secstore({"dump", "--store=" + source_path("tests/data/cli/worked-example.store")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("isolate path \"iso\"\n"));
}

}  // namespace
}  // namespace secstore_test
