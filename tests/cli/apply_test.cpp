// `secstore apply`: a script runs as one transaction; errors leave the
// store byte for byte as it was; locked roles are refused to other users;
// concurrent runs of the command lose no edit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "needs_root.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kStore =
    "# hand-written\n"
    "set \"A\" permissions [AUTHENTICATE]\n"
    "set roles for user \"alice\" [\"A\"]\n";

// Tests that expect no warning about a store not owned by root.
constexpr const char* kOwnedByRoot = "the store must be owned by root, or apply warns";

class Apply : public ::testing::Test {
 protected:
  TempDir dir;  // declared first: `store` is written into it
  std::string store = dir.write("Security.store", kStore);
};

TEST_F(Apply, ScriptFileChangesTheStore) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto script = dir.write("edit.script",
                          "set \"B\" permissions [VIEW_SESSION]\n"
                          "set roles for user \"alice\" [\"A\", \"B\"]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, store + ": updated\n");
  EXPECT_EQ(r.err, "");
  auto can = run_secstore({"can", "--store", store, "--user", "alice", "--groups", "", "VIEW_SESSION"});
  EXPECT_EQ(can.exit_code, 0);
  // The file as the admin wrote it: the comment stays, the user's roles are
  // changed where they were set, the new role is appended.
  EXPECT_EQ(read_text(store),
            "# hand-written\n"
            "set \"A\" permissions [AUTHENTICATE]\n"
            "set roles for user \"alice\" [\"A\", \"B\"]\n"
            "set \"B\" permissions [VIEW_SESSION]\n");
}

// The shipped store's header says apply keeps it: it must.
TEST_F(Apply, TheShippedStoresHeaderSurvivesApply) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  const std::string shipped = read_text(source_path("conf/Security.store"));
  ASSERT_THAT(shipped, HasSubstr("comments like these"));
  auto copy = dir.write("shipped.store", shipped);
  auto script = dir.write("first.script", "set \"operator\" permissions [VIEW_SERVER]\nset roles for named sessions [\"operator\"]\n");
  auto r = run_secstore({"apply", "--store", copy, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(copy), shipped + "set \"operator\" permissions [VIEW_SERVER]\nset roles for named sessions [\"operator\"]\n");
}

TEST_F(Apply, DryRunPrintsTheDiffAndWritesNothing) {
  auto script = dir.write("edit.script", "set roles for user \"alice\" []\n");
  auto r = run_secstore({"apply", "--dry-run", "--store", store, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "--- " + store + "\n+++ " + store + " (after " + script + ")\n" +
                       "@@ -1,3 +1,3 @@\n"
                       " # hand-written\n"
                       " set \"A\" permissions [AUTHENTICATE]\n"
                       "-set roles for user \"alice\" [\"A\"]\n"
                       "+set roles for user \"alice\" []\n");
  EXPECT_EQ(read_text(store), kStore);
  auto same = dir.write("same.script", "set 'A' permissions [authenticate]\n");
  auto unchanged = run_secstore({"apply", "--dry-run", "--store", store, same});
  EXPECT_EQ(unchanged.exit_code, 0);
  EXPECT_EQ(unchanged.out, store + ": unchanged, the script changes nothing\n");
}

TEST_F(Apply, StandardInputWithDash) {
  auto input = dir.write("stdin.txt", "isolate path \"secret\"\n");
  RunOptions from_file;
  from_file.stdin_path = input;
  auto r = run_secstore({"apply", "--store", store, "-"}, from_file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(read_text(store), HasSubstr("isolate path \"secret\"\n"));
}

TEST_F(Apply, ErrorInTheScriptLeavesTheStoreUntouched) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto script = dir.write("bad.script",
                          "set \"B\" permissions [VIEW_SESSION]\n"
                          "set \"B\" permissions [READ_TOPIC]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith(script + ":2:22: error: "));
  EXPECT_EQ(read_text(store), kStore);
}

TEST_F(Apply, IncludeCycleMadeByTheScriptIsRefused) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto script = dir.write("cycle.script",
                          "set \"A\" includes [\"B\"]\n"
                          "set \"B\" includes [\"A\"]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(script + ":"));
  EXPECT_EQ(read_text(store), kStore);
}

TEST_F(Apply, AChangeThatBreaksTheStoreWithItsDropInsIsRefused) {
  // The module reads Security.store.d/ after the store as one transaction:
  // a cycle closed through a drop-in would refuse every session.
  auto host = dir.write("Security.store.d/host.store", "set \"B\" includes [\"A\"]\n");
  auto script = dir.write("cycle.script", "set \"A\" includes [\"B\"]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(host + ":1:"));
  EXPECT_THAT(r.err, HasSubstr("includes itself"));
  EXPECT_EQ(read_text(store), kStore);
  // Without the drop-in the same script is fine.
  ASSERT_EQ(::unlink(host.c_str()), 0);
  r = run_secstore({"apply", "--store", store, script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Apply, ScriptThatChangesNothingDoesNotRewrite) {
  auto script = dir.write("same.script", "set \"A\" permissions [AUTHENTICATE]\n");
  auto r = run_secstore({"apply", "--store", store, script});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("unchanged"));
  EXPECT_EQ(read_text(store), kStore);
}

TEST_F(Apply, MissingScriptOrUnwritableStoreIsAnIoError) {
  auto r = run_secstore({"apply", "--store", store, dir.path() + "/absent.script"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot open the file"));
  auto script = dir.write("ok.script", "isolate path \"a\"\n");
  auto nowhere = run_secstore({"apply", "--store", dir.path() + "/no/such/dir/Security.store", script});
  EXPECT_EQ(nowhere.exit_code, 2);
}

TEST_F(Apply, UsageErrors) {
  EXPECT_EQ(run_secstore({"apply", "--store", store}).exit_code, 2);
  EXPECT_EQ(run_secstore({"apply", "--store", store, "a", "b"}).exit_code, 2);
}

TEST_F(Apply, LockedRoleIsRefusedToAnotherUser) {
  SECSTORE_NEEDS_ROOT("it runs the command as another user");
  struct passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  auto locked = dir.write("Security.store",
                          "set \"A\" permissions [AUTHENTICATE]\n"
                          "set role \"A\" locked by principal \"root\"\n");
  // nobody must be able to read the store and take the lock to get as far
  // as the role check.
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  dir.write("Security.store.lock", "", 0666);
  auto script = dir.write("edit.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  auto before = read_text(locked);
  // The build tree may sit below a directory nobody cannot enter (CI clones
  // anywhere), so nobody runs a copy of the command from the test directory.
  auto copy = dir.write("secstore", read_text(std::string(SECSTORE_BUILD_DIR) + "/secstore"), 0755);
  RunOptions as_nobody;
  as_nobody.binary = copy;
  as_nobody.uid = nobody->pw_uid;
  as_nobody.gid = nobody->pw_gid;
  auto r = run_secstore({"apply", "--store", locked, script}, as_nobody);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, StartsWith(script + ":1:"));
  EXPECT_THAT(r.err, HasSubstr("root"));
  EXPECT_EQ(read_text(locked), before);
  // root may change it.
  auto as_root = run_secstore({"apply", "--store", locked, script});
  EXPECT_EQ(as_root.exit_code, 0) << as_root.err;
}

// Root through sudo acts for the user who ran sudo: a lock binds them, and
// --force overrides it with a syslog line (SPEC §5, secstore(1)).
class ApplyThroughSudo : public Apply {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the command runs as root, as under sudo");
    struct passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
    sudo_.env = {{"SUDO_UID", std::to_string(nobody->pw_uid)}, {"SUDO_USER", "nobody"}};
    sudo_.capture_syslog = true;
    nobody_uid_ = std::to_string(nobody->pw_uid);
  }
  std::string locked_by(const std::string& principal) {
    return dir.write("Security.store", "set \"A\" permissions [AUTHENTICATE]\nset role \"A\" locked by principal \"" +
                                           principal + "\"\n");
  }
  RunOptions sudo_;
  std::string nobody_uid_;
};

TEST_F(ApplyThroughSudo, ALockBindsTheUserWhoRanSudo) {
  auto locked = locked_by("daemon");
  auto script = dir.write("edit.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  auto before = read_text(locked);
  auto r = run_secstore({"apply", "--store", locked, script}, sudo_);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(script + ":1:1: error: role \"A\" is locked by principal \"daemon\": only \"daemon\" or "
                                        "root may change it, not \"nobody\""));
  EXPECT_THAT(r.err, HasSubstr("--force overrides them"));
  EXPECT_EQ(read_text(locked), before);
  EXPECT_TRUE(r.syslog.empty());
}

TEST_F(ApplyThroughSudo, TheLocksPrincipalMayChangeItThroughSudo) {
  auto locked = locked_by("nobody");
  auto script = dir.write("edit.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  auto r = run_secstore({"apply", "--store", locked, script}, sudo_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(r.syslog.empty()) << r.syslog.front().text;
}

TEST_F(ApplyThroughSudo, ForceOverridesTheLockAndLogsIt) {
  auto locked = locked_by("daemon");
  auto script = dir.write("edit.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  auto r = run_secstore({"apply", "--force", "--store", locked, script}, sudo_);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("warning: role \"A\" is locked by principal \"daemon\"; changed by \"nobody\", "
                               "overriding the lock"));
  EXPECT_THAT(read_text(locked), HasSubstr("CONTROL_SERVER"));
  ASSERT_EQ(r.syslog.size(), 1u);
  EXPECT_EQ(r.syslog[0].facility, LOG_AUTHPRIV);
  EXPECT_EQ(r.syslog[0].level, LOG_NOTICE);
  EXPECT_THAT(r.syslog[0].text, StartsWith("secstore["));
  EXPECT_THAT(r.syslog[0].text, HasSubstr("apply to " + locked + " by root (sudo from \"nobody\", uid " + nobody_uid_ +
                                          "): " + script + ":1:1: warning: role \"A\" is locked"));
}

TEST_F(ApplyThroughSudo, RootsOwnLoginOverridesLocksAndIsLogged) {
  auto locked = locked_by("daemon");
  auto script = dir.write("edit.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  RunOptions as_root;
  as_root.capture_syslog = true;
  auto r = run_secstore({"apply", "--store", locked, script}, as_root);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.syslog.size(), 1u);
  EXPECT_THAT(r.syslog[0].text, HasSubstr("by root: "));
}

TEST_F(Apply, ForceIsOnlyForRoot) {
  SECSTORE_NEEDS_ROOT("to run the command as another user");
  struct passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  auto script = dir.write("edit.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  RunOptions as_nobody;
  as_nobody.binary = dir.write("secstore", read_text(std::string(SECSTORE_BUILD_DIR) + "/secstore"), 0755);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  as_nobody.uid = nobody->pw_uid;
  as_nobody.gid = nobody->pw_gid;
  auto r = run_secstore({"apply", "--force", "--store", store, script}, as_nobody);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--force is for root"));
}

// Several `secstore apply` processes at once: every edit survives.
TEST_F(Apply, ConcurrentCommandsLoseNoEdit) {
  constexpr int kWriters = 4, kEdits = 15;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int failures = 0;
      for (int e = 0; e < kEdits; ++e) {
        auto script = dir.write("w" + std::to_string(w) + "e" + std::to_string(e) + ".script",
                                "set \"w" + std::to_string(w) + "e" + std::to_string(e) +
                                    "\" permissions [VIEW_SERVER]\n");
        if (run_secstore({"apply", "--store", store, script}).exit_code != 0) ++failures;
      }
      ::_exit(failures == 0 ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto text = read_text(store);
  for (int w = 0; w < kWriters; ++w)
    for (int e = 0; e < kEdits; ++e)
      EXPECT_THAT(text, HasSubstr("set \"w" + std::to_string(w) + "e" + std::to_string(e) +
                                  "\" permissions [VIEW_SERVER]\n"));
  EXPECT_THAT(text, HasSubstr("set roles for user \"alice\" [\"A\"]\n"));
}

}  // namespace
}  // namespace secstore_test
