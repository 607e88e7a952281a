// `secstore import-pam-cap`: the Security scopes it prints give every user
// what pam_cap's first-matching capability.conf line gives them, checked
// through `secstore explain --json` on the imported configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "needs_root.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ImportPamCap : public ::testing::Test {
 protected:
  // Imports `capability_conf` and keeps the result as this test's conf.
  CommandResult import(const std::string& capability_conf) {
    source_ = dir_.write("capability.conf", capability_conf);
    auto r = run_secstore({"import-pam-cap", source_});
    if (r.exit_code == 0) conf_ = dir_.write("secstore.conf", r.out);
    return r;
  }
  // {"ambient": [...], "inheritable": [...], "bounding_drop": [...]} for a
  // user, with groups from NSS when `groups` is null.
  std::string caps_of(const std::string& user, const char* groups) {
    auto store = dir_.write("Security.store", "");
    std::vector<std::string> args = {"explain", "--store", store, "--conf", conf_, "--user", user,
                                     "--json"};
    if (groups != nullptr) args.insert(args.end(), {"--groups", groups});
    auto r = run_secstore(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto start = r.out.find("\"capabilities\": ");
    auto end = r.out.find('}', start);
    if (start == std::string::npos || end == std::string::npos) return "no capabilities in " + r.out;
    start += 16;
    return r.out.substr(start, end + 1 - start);
  }
  static std::string caps(const std::string& ambient, const std::string& inheritable) {
    return "{\"ambient\": [" + ambient + "], \"inheritable\": [" + inheritable +
           "], \"bounding_drop\": []}";
  }

  TempDir dir_;
  std::string source_, conf_;
};

// The shape of capability.conf(5)'s example: named users, then none for the
// rest. Every line is exact, so users this host does not know get it too.
TEST_F(ImportPamCap, ManPageStyleFileGivesEachUserTheirFirstLine) {
  auto r = import(
      "# capability.conf(5) style\n"
      "cap_setfcap\t\tmorgan\n"
      "\n"
      "cap_dac_override    luser\n"
      "^cap_net_bind_service,cap_net_raw  web1 web2\n"
      "cap_net_admin       morgan\n"
      "none                *\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("Security \"capability.conf:2 morgan\" {\n"
                               "  user = morgan\n"
                               "  capabilities = \"cap_setfcap\"\n"
                               "}\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("cap_net_admin\"")));
  EXPECT_EQ(caps_of("morgan", ""), caps("", "\"cap_setfcap\""));
  EXPECT_EQ(caps_of("luser", ""), caps("", "\"cap_dac_override\""));
  EXPECT_EQ(caps_of("web2", ""), caps("\"cap_net_bind_service\"",
                                      "\"cap_net_bind_service\", \"cap_net_raw\""));
  EXPECT_EQ(caps_of("someone-else", ""), caps("", ""));
}

TEST_F(ImportPamCap, ImportedConfigurationPassesCheck) {
  SECSTORE_NEEDS_ROOT("check refuses files not owned by root, as the module does");
  ASSERT_EQ(import("cap_net_raw alice\n^cap_net_bind_service @web\n").exit_code, 0);
  auto store = dir_.write("Security.store", "");
  auto r = run_secstore({"check", "--store", store, "--conf", conf_});
  EXPECT_NE(r.exit_code, 1) << r.err;  // 0, or warnings about groups only
  EXPECT_THAT(r.err, Not(HasSubstr("error")));
}

// A group first, then lines an earlier line may shadow: those are written
// per user of this host, and each user still gets only the first match.
TEST_F(ImportPamCap, FirstMatchWinsOverGroupsAndStar) {
  auto r = import(
      "^cap_net_bind_service  @sys\n"
      "cap_net_raw            daemon sys\n"
      "none                   bin\n"
      "cap_sys_nice           *\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  group = sys\n"));
  EXPECT_THAT(r.err, HasSubstr(source_ + ":2:1: warning: an earlier line can match the same users"));
  EXPECT_THAT(r.err, HasSubstr(source_ + ":4:1: warning: this gives root sessions capabilities"));
  EXPECT_EQ(caps_of("sys", nullptr), caps("\"cap_net_bind_service\"", "\"cap_net_bind_service\""));
  EXPECT_EQ(caps_of("daemon", nullptr), caps("", "\"cap_net_raw\""));
  EXPECT_EQ(caps_of("bin", nullptr), caps("", ""));
  EXPECT_EQ(caps_of("nobody", nullptr), caps("", "\"cap_sys_nice\""));
  // The @sys line holds for members this host does not know yet.
  EXPECT_EQ(caps_of("future-sys-member", "sys"),
            caps("\"cap_net_bind_service\"", "\"cap_net_bind_service\""));
}

TEST_F(ImportPamCap, StarFirstShadowsEverythingAfterIt) {
  auto r = import("cap_chown *\ncap_net_raw alice\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("never applies"));
  EXPECT_EQ(caps_of("alice", ""), caps("", "\"cap_chown\""));
}

TEST_F(ImportPamCap, NoneFirstGivesNothing) {
  auto r = import("none alice\ncap_net_raw alice\ncap_chown bob\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(caps_of("alice", ""), caps("", ""));
  EXPECT_EQ(caps_of("bob", ""), caps("", "\"cap_chown\""));
}

TEST_F(ImportPamCap, BoundingDropIsKept) {
  auto r = import("cap_net_raw,!cap_sys_admin alice\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(caps_of("alice", ""),
            "{\"ambient\": [], \"inheritable\": [\"cap_net_raw\"], \"bounding_drop\": "
            "[\"cap_sys_admin\"]}");
}

TEST_F(ImportPamCap, UnknownCapabilityIsAnErrorAtItsColumn) {
  auto r = import("# ok\n   cap_bogus alice\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith(source_ + ":2:4: error: "));
}

TEST_F(ImportPamCap, CapFromTextFormIsNotPamCapSyntax) {
  auto r = import("cap_net_raw+ep alice\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(source_ + ":1:1: error: expected IAB capability text"));
}

TEST_F(ImportPamCap, HashAfterTheFirstWordIsNotACommentToPamCap) {
  auto r = import("cap_net_raw alice # bob\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith(source_ + ":1:19: warning: pam_cap does not read \"#\" here as a "
                                          "comment"));
  EXPECT_EQ(caps_of("bob", ""), caps("", "\"cap_net_raw\""));
}

// pam_cap compares names, but secstore.conf reads a value of digits as an
// id (SPEC §3): a user named "00" must not become `user = 00`, uid 0, root
// (nor a group named "1000" gid 1000). Such a line is refused, not guessed.
TEST_F(ImportPamCap, AllDigitNamesAreRefusedNotReadAsIds) {
  for (const std::string line : {"cap_net_raw 00\n", "cap_net_raw @1000\n", "cap_net_raw alice 4294967296\n"}) {
    SCOPED_TRACE(line);
    auto r = import(line);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, StartsWith(source_ + ":1:1: error: "));
    EXPECT_THAT(r.err, HasSubstr("secstore.conf reads a value of digits as"));
  }
}

TEST_F(ImportPamCap, LineWithoutUsersIsAWarning) {
  auto r = import("cap_net_raw\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith(source_ + ":1:1: warning: this line names no user"));
}

TEST(ImportPamCapUsage, FileIsRequiredAndMustExist) {
  EXPECT_EQ(run_secstore({"import-pam-cap"}).exit_code, 2);
  EXPECT_EQ(run_secstore({"import-pam-cap", "a", "b"}).exit_code, 2);
  auto r = run_secstore({"import-pam-cap", "/nonexistent/capability.conf"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot open the file"));
}

}  // namespace
}  // namespace secstore_test
