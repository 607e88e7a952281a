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

#include <filesystem>

#include "needs_root.hpp"
#include "private_mounts.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
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
// The store is checked with the configuration the module reads beside it
// (--conf here): what the change adds to check's errors refuses it, what
// was wrong before does not.
TEST_F(Apply, TheNewStoreIsCheckedWithTheConfAndOnlyWhatTheChangeAddsRefusesIt) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  std::filesystem::create_directory(dir.path() + "/ja");
  std::filesystem::create_directory(dir.path() + "/jb");
  ASSERT_EQ(::chmod((dir.path() + "/ja").c_str(), 0755), 0);
  ASSERT_EQ(::chmod((dir.path() + "/jb").c_str(), 0755), 0);
  // An error already there: a chroot no session gets, in a directory
  // anyone may write.
  std::filesystem::create_directory(dir.path() + "/open");
  ASSERT_EQ(::chmod((dir.path() + "/open").c_str(), 0777), 0);
  const auto conf = dir.write("secstore.conf", "Security { role = A chroot = \"" + dir.path() + "/ja\" }\n"
                                               "Security { role = B chroot = \"" + dir.path() + "/jb\" }\n"
                                               "Security { role = Z chroot = \"" + dir.path() + "/open\" }\n");
  const auto before = read_text(store);
  auto was = run_secstore({"check", "--store", store, "--conf", conf});
  ASSERT_EQ(was.exit_code, 1) << "the open chroot is an error before any change";
  ASSERT_THAT(was.err, HasSubstr("/open"));

  auto unrelated = run_secstore(
      {"apply", "--store", store, "--conf", conf, dir.write("c.script", "set \"C\" permissions [VIEW_SESSION]\n")});
  EXPECT_EQ(unrelated.exit_code, 0) << unrelated.err;
  EXPECT_EQ(unrelated.err, "");
  const auto changed = read_text(store);
  EXPECT_NE(changed, before);

  auto both = run_secstore({"apply", "--store", store, "--conf", conf,
                            dir.write("ab.script", "set roles for named sessions [\"A\", \"B\"]\n")});
  EXPECT_EQ(both.exit_code, 1) << both.out;
  EXPECT_THAT(both.err, HasSubstr("two different chroots"));
  EXPECT_THAT(both.err, Not(HasSubstr("/open"))) << "only what the change adds is its error";
  EXPECT_EQ(read_text(store), changed);
}

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

// Standard input is held to a script file's bound: an endless one (`yes |
// secstore apply -`) is refused at 16 MiB, not read until memory runs out.
TEST_F(Apply, StandardInputPastTheBoundIsRefused) {
  const auto before = read_text(store);
  const std::string line = "isolate path \"secret\"\n";
  std::string big;
  while (big.size() <= (std::size_t{16} << 20)) big += line;
  RunOptions from_file;
  from_file.stdin_path = dir.write("big.txt", big);
  auto r = run_secstore({"apply", "--store", store, "-"}, from_file);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("<stdin>: error: cannot read standard input, or it holds more than a script may (16 MiB)"));
  EXPECT_EQ(read_text(store), before);
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
    SECSTORE_NEEDS_PRIVATE_MOUNTS("the command runs as root, as under sudo, with its own /etc/security and /dev/log");
    struct passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
    sudo_.env = {{"SUDO_UID", std::to_string(nobody->pw_uid)}, {"SUDO_USER", "nobody"}};
    sudo_.capture_syslog = true;
    // Through sudo apply changes only the default store: this directory.
    sudo_.etc_security = dir.path();
    nobody_uid_ = std::to_string(nobody->pw_uid);
    nobody_ = *nobody;
  }
  // The script on standard input: through sudo, a script file must be the
  // caller's own.
  RunOptions sudo_with_script(const std::string& text) {
    RunOptions options = sudo_;
    options.stdin_path = dir.write("edit.script", text);
    return options;
  }
  const std::string kDefaultStore = "/etc/security/Security.store";
  std::string locked_by(const std::string& principal) {
    return dir.write("Security.store", "set \"A\" permissions [AUTHENTICATE]\nset role \"A\" locked by principal \"" +
                                           principal + "\"\n");
  }
  RunOptions sudo_;
  std::string nobody_uid_;
  struct passwd nobody_ {};
};

TEST_F(ApplyThroughSudo, ALockBindsTheUserWhoRanSudo) {
  auto locked = locked_by("daemon");
  auto before = read_text(locked);
  auto r = run_secstore({"apply", "-"}, sudo_with_script("set \"A\" permissions [CONTROL_SERVER]\n"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("<stdin>:1:1: error: role \"A\" is locked by principal \"daemon\": only \"daemon\" or "
                               "root may change it, not \"nobody\""));
  EXPECT_THAT(r.err, HasSubstr("--force overrides them"));
  EXPECT_EQ(read_text(locked), before);
  EXPECT_TRUE(r.syslog.empty());
}

TEST_F(ApplyThroughSudo, TheLocksPrincipalMayChangeItThroughSudo) {
  auto locked = locked_by("nobody");
  auto r = run_secstore({"apply", "-"}, sudo_with_script("set \"A\" permissions [CONTROL_SERVER]\n"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, kDefaultStore + ": updated\n");
  EXPECT_THAT(read_text(locked), HasSubstr("CONTROL_SERVER"));
  EXPECT_TRUE(r.syslog.empty()) << r.syslog.front().text;
}

TEST_F(ApplyThroughSudo, ForceOverridesTheLockAndLogsIt) {
  auto locked = locked_by("daemon");
  auto r = run_secstore({"apply", "--force", "-"}, sudo_with_script("set \"A\" permissions [CONTROL_SERVER]\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("warning: role \"A\" is locked by principal \"daemon\"; changed by \"nobody\", "
                               "overriding the lock"));
  EXPECT_THAT(read_text(locked), HasSubstr("CONTROL_SERVER"));
  ASSERT_EQ(r.syslog.size(), 1u);
  EXPECT_EQ(r.syslog[0].facility, LOG_AUTHPRIV);
  EXPECT_EQ(r.syslog[0].level, LOG_NOTICE);
  EXPECT_THAT(r.syslog[0].text, StartsWith("secstore["));
  EXPECT_THAT(r.syslog[0].text, HasSubstr("apply to " + kDefaultStore + " by root (sudo from \"nobody\", uid " +
                                          nobody_uid_ + "): \"<stdin>\":1:1: role \"A\" is locked"));
}

// sudoers may give `secstore apply` to users who are not root: it must not
// let them write any other file as root, read files they cannot read, or
// be pointed at a script that is not theirs.
TEST_F(ApplyThroughSudo, OnlyTheDefaultStoreIsChanged) {
  locked_by("nobody");
  TempDir elsewhere;
  auto other = elsewhere.write("zz.sh", "# all comments: an empty store\n");
  const auto before = read_text(other);
  auto r = run_secstore({"apply", "--store", other, "-"}, sudo_with_script("set roles for user \"$(id)\" [\"A\"]\n"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("through sudo, secstore apply works only on /etc/security/Security.store"));
  EXPECT_EQ(read_text(other), before);
  auto absent = run_secstore({"apply", "--store", elsewhere.path() + "/new.sh", "-"},
                             sudo_with_script("set roles for user \"x\" [\"A\"]\n"));
  EXPECT_EQ(absent.exit_code, 2);
  EXPECT_NE(::access((elsewhere.path() + "/new.sh").c_str(), F_OK), 0);
}

TEST_F(ApplyThroughSudo, AScriptFileMustBeTheCallersOwn) {
  auto locked = locked_by("nobody");
  const auto before = read_text(locked);
  TempDir secrets;
  auto secret = secrets.write("shadow", "root:$y$SECRET-HASH:19000:0:99999:7:::\n", 0600);
  auto r = run_secstore({"apply", secret}, sudo_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("the script must be a regular file \"nobody\" owns"));
  EXPECT_THAT(r.err + r.out, ::testing::Not(HasSubstr("SECRET-HASH")));
  // A link the caller made to it is not followed.
  TempDir own;
  ASSERT_EQ(::chown(own.path().c_str(), nobody_.pw_uid, nobody_.pw_gid), 0);
  ASSERT_EQ(::symlink(secret.c_str(), (own.path() + "/edit.script").c_str()), 0);
  auto linked = run_secstore({"apply", own.path() + "/edit.script"}, sudo_);
  EXPECT_EQ(linked.exit_code, 2);
  EXPECT_THAT(linked.err + linked.out, ::testing::Not(HasSubstr("SECRET-HASH")));
  // Their own file is fine.
  auto mine = own.write("mine.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  ASSERT_EQ(::chown(mine.c_str(), nobody_.pw_uid, nobody_.pw_gid), 0);
  auto ok = run_secstore({"apply", mine}, sudo_);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(read_text(locked), before);
}

// Files named inside others (a pam line's conf=, includes, drop-ins) are
// chosen by whoever wrote those, and the store's text by whoever may apply:
// through sudo every command works on the system's own files only.
TEST_F(ApplyThroughSudo, EveryCommandWorksOnlyOnTheSystemsFiles) {
  locked_by("nobody");
  TempDir secrets;
  auto secret = secrets.write("shadow", "root:$y$SECRET-HASH:19000:0:99999:7:::\n", 0600);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check", "--conf", secret}, {"check", "--store", secret}, {"dump", "--store", secret},
        {"explain", "--conf", secret, "--user", "root"}, {"compile", "--store", secret}}) {
    auto r = run_secstore(args, sudo_);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_THAT(r.err, HasSubstr("through sudo, secstore " + args[0] + " works only on /etc/security/Security.store"))
        << args[0];
    EXPECT_THAT(r.err + r.out, ::testing::Not(HasSubstr("SECRET-HASH"))) << args[0];
  }
  // The store's text is the caller's to write through apply: it must not be
  // read as a pam.d file naming conf=SECRET.
  auto pam = run_secstore({"check", "--pam", "/etc/security/Security.store"}, sudo_);
  EXPECT_EQ(pam.exit_code, 2);
  EXPECT_THAT(pam.err, HasSubstr("through sudo, --pam reads only /etc/pam.d"));
  EXPECT_EQ(::access((dir.path() + "/Security.store.idx").c_str(), F_OK), -1) << "nothing compiled";
  // The system's own files are fine.
  auto own = run_secstore({"dump"}, sudo_);
  EXPECT_EQ(own.exit_code, 0) << own.err;
  EXPECT_THAT(own.out, HasSubstr("locked by principal \"nobody\""));
}

TEST_F(ApplyThroughSudo, ASudoUidThatIsNoUserIsRefused) {
  auto locked = locked_by("daemon");
  const auto before = read_text(locked);
  // A uid is written as secstore.conf writes one: digits only. strtoul would
  // also take a sign or leading blanks, and so read a value no id is
  // written as.
  for (const std::string& bad : {std::string("1000x"), std::string(""), std::string("4294967295"), std::string("-1"),
                                "+" + nobody_uid_, " " + nobody_uid_, "\t" + nobody_uid_}) {
    RunOptions options = sudo_with_script("set \"A\" permissions [CONTROL_SERVER]\n");
    options.env = {{"SUDO_UID", bad}};
    auto r = run_secstore({"apply", "-"}, options);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.err, HasSubstr("is not the user id of a user; secstore will not guess who ran sudo")) << bad;
    EXPECT_EQ(read_text(locked), before) << bad;
  }
}

// The drop-ins are part of the store: a lock one sets binds a script as a
// lock in the main file does.
TEST_F(ApplyThroughSudo, ALockInADropInBindsToo) {
  dir.write("Security.store", "set \"R\" permissions [AUTHENTICATE]\n");
  dir.write("Security.store.d/10-locks.store", "set role \"R\" locked by principal \"daemon\"\n");
  const auto before = read_text(dir.path() + "/Security.store");
  auto r = run_secstore({"apply", "-"}, sudo_with_script("set \"R\" permissions [CONTROL_SERVER]\n"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("<stdin>:1:1: error: role \"R\" is locked by principal \"daemon\""));
  EXPECT_EQ(read_text(dir.path() + "/Security.store"), before);
  auto forced = run_secstore({"apply", "--force", "-"}, sudo_with_script("set \"R\" permissions [CONTROL_SERVER]\n"));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  ASSERT_EQ(forced.syslog.size(), 1u) << "the override is logged once";
  EXPECT_THAT(forced.syslog[0].text, HasSubstr("role \"R\" is locked by principal \"daemon\""));
}

// apply validates the store alone, but the module reads the store and the
// configuration together: a role selector in secstore.conf makes the
// store's assignments decide which scopes a session gets. A sudoer allowed
// only `secstore apply` must not be able to install a store with which
// `secstore check` (and so pam_secstore) refuses every named session, root's
// included: two role-selected scopes with different chroots, both roles
// given to named sessions.
TEST_F(ApplyThroughSudo, AChangeTheModuleWouldRefuseWithTheConfIsRefused) {
  std::filesystem::create_directory(dir.path() + "/ja");
  std::filesystem::create_directory(dir.path() + "/jb");
  ASSERT_EQ(::chmod((dir.path() + "/ja").c_str(), 0755), 0);
  ASSERT_EQ(::chmod((dir.path() + "/jb").c_str(), 0755), 0);
  dir.write("secstore.conf", "Security { role = A chroot = \"" + dir.path() + "/ja\" }\n"
                             "Security { role = B chroot = \"" + dir.path() + "/jb\" }\n");
  auto store = dir.write("Security.store", "set \"A\" permissions [AUTHENTICATE]\n"
                                           "set \"B\" permissions [AUTHENTICATE]\n");
  const auto before = read_text(store);
  RunOptions plain = sudo_;
  plain.env.clear();
  auto ok = run_secstore({"check"}, plain);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;

  // --dry-run says what the write would.
  auto dry = run_secstore({"apply", "--dry-run", "-"},
                          sudo_with_script("set roles for named sessions [\"A\", \"B\"]\n"));
  EXPECT_EQ(dry.exit_code, 1) << dry.out << dry.err;
  EXPECT_THAT(dry.err, HasSubstr("two different chroots"));
  EXPECT_EQ(dry.out, "");
  EXPECT_EQ(read_text(store), before);

  auto r = run_secstore({"apply", "-"}, sudo_with_script("set roles for named sessions [\"A\", \"B\"]\n"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("two different chroots"));
  EXPECT_THAT(r.err, HasSubstr("with this change, secstore check would refuse"));
  EXPECT_EQ(read_text(store), before);
  // A change that adds no error to the pair still goes in.
  auto fine = run_secstore({"apply", "-"}, sudo_with_script("set roles for named sessions [\"A\"]\n"));
  EXPECT_EQ(fine.exit_code, 0) << fine.err;
  EXPECT_NE(read_text(store), before);
  auto after = run_secstore({"check"}, plain);
  EXPECT_EQ(after.exit_code, 0) << "apply installed a store that check rejects (every session refused):\n" << after.err;
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

// Root must not write where another user could swap the file for a link
// between the check and the rename: a draft in their directory, or a link
// they made to a file of root's.
TEST_F(Apply, RootWritesOnlyWhereNoOneElseCanSwapTheFile) {
  SECSTORE_NEEDS_ROOT("the command must run as root");
  struct passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  TempDir theirs;
  ASSERT_EQ(::chown(theirs.path().c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  auto draft = theirs.write("Security.store", kStore);
  auto script = dir.write("edit.script", "set \"A\" permissions [CONTROL_SERVER]\n");
  auto r = run_secstore({"apply", "--store", draft, script});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr(draft + ": error: refusing to write it as root"));
  EXPECT_THAT(r.err, HasSubstr(theirs.path()));
  EXPECT_EQ(read_text(draft), kStore);

  TempDir roots;
  auto victim = roots.write("bashrc", "# root's own file\n");
  const std::string link = theirs.path() + "/link.store";
  ASSERT_EQ(::symlink(victim.c_str(), link.c_str()), 0);
  auto through_link = run_secstore({"apply", "--store", link, script});
  EXPECT_NE(through_link.exit_code, 0);
  EXPECT_THAT(through_link.err, HasSubstr("refusing to write it as root"));
  EXPECT_EQ(read_text(victim), "# root's own file\n");
  EXPECT_NE(::access((roots.path() + "/bashrc.lock").c_str(), F_OK), 0) << "no lock beside the link's target either";

  // Nor through a chain: root's own link, in a directory only root can
  // write, to a link of theirs that leads to root's file.
  const std::string theirs_hop = theirs.path() + "/hop";
  ASSERT_EQ(::symlink(victim.c_str(), theirs_hop.c_str()), 0);
  const std::string roots_link = roots.path() + "/Security.store";
  ASSERT_EQ(::symlink(theirs_hop.c_str(), roots_link.c_str()), 0);
  auto chained = run_secstore({"apply", "--store", roots_link, script});
  EXPECT_NE(chained.exit_code, 0);
  EXPECT_THAT(chained.err, HasSubstr(roots_link + ": error: refusing to write it as root, because of " + theirs.path()));
  EXPECT_EQ(read_text(victim), "# root's own file\n");
  EXPECT_NE(::access((roots.path() + "/bashrc.lock").c_str(), F_OK), 0);
}


// REPRO (review of 204f8b7): ChangeCheck tells the change's errors from
// those already there by their text, but check reports an unusable chroot
// once per scope, at its line, whoever gets it. A conf that names a jail
// not made yet (check fails, every session opens: no one holds the role)
// lets a change give the role to every named session: the error's text is
// the same, so apply takes it, and pam_secstore refuses every named
// session, root's included, at the chroot (module/process.cpp: "chroot
// directory ...", PAM_SESSION_ERR; RealPam.AWritableChrootIsRefused...).
TEST_F(Apply, AChrootErrorAlreadyThereDoesNotLetTheChangeGiveThatChrootToRoot) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  const std::string jail = dir.path() + "/jail-not-made-yet";
  const auto conf = dir.write("secstore.conf", "Security { role = Z chroot = \"" + jail + "\" }\n");
  const auto before = read_text(store);
  auto was = run_secstore({"check", "--store", store, "--conf", conf});
  ASSERT_EQ(was.exit_code, 1);
  ASSERT_THAT(was.err, HasSubstr("chroot directory " + jail));
  auto root_before = run_secstore({"explain", "--store", store, "--conf", conf, "--user", "root"});
  ASSERT_EQ(root_before.exit_code, 0) << root_before.err;
  ASSERT_THAT(root_before.out, HasSubstr("chroot: none"));

  auto r = run_secstore({"apply", "--store", store, "--conf", conf,
                         dir.write("z.script", "set roles for named sessions [\"Z\"]\n")});
  EXPECT_EQ(r.exit_code, 1) << "apply gave every named session, root's included, a chroot the module refuses:\n"
                            << r.out << r.err;
  EXPECT_EQ(read_text(store), before);
  auto root_after = run_secstore({"explain", "--store", store, "--conf", conf, "--user", "root"});
  EXPECT_THAT(root_after.out, Not(HasSubstr("chroot: " + jail)));
}

}  // namespace
}  // namespace secstore_test
