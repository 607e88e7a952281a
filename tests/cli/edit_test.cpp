// `secstore edit` (SPEC §5): visudo for the store and the configuration.
// The editor is a script the test writes; the admin's answers are typed on
// a pseudo-terminal.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "needs_root.hpp"
#include "private_mounts.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kStore = "# roles of the web team\nset \"web\" permissions [VIEW_SERVER]\n";
constexpr const char* kConf = "# nothing yet\n";

class Edit : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("edit validates as check does, and check accepts only root-owned files");
    store = dir.write("Security.store", kStore);
    conf = dir.write("secstore.conf", kConf);
    tmp = dir.path() + "/tmp";
    std::filesystem::create_directory(tmp);
    ::chmod(tmp.c_str(), 0755);
  }

  // An editor: a shell script run as `EDITOR FILE`.
  std::string editor(const std::string& name, const std::string& body) {
    return dir.write(name, "#!/bin/sh\nset -e\n" + body, 0755);
  }
  CommandResult edit(const std::string& with_editor, std::vector<std::string> args = {},
                     std::optional<std::string> typed = std::nullopt) {
    RunOptions options;
    options.env = {{"EDITOR", with_editor}, {"VISUAL", ""}, {"TMPDIR", tmp}};
    options.terminal = typed;
    if (args.empty()) args = {"--store", store};
    // The other file is the default one, which need not exist here: then
    // the edited file is validated alone.
    args.insert(args.begin(), "edit");
    return run_secstore(args, options);
  }
  bool private_copies_left() const { return !std::filesystem::is_empty(tmp); }

  TempDir dir;
  std::string store, conf, tmp;
};

TEST_F(Edit, AValidEditIsInstalledWithTheFilesOwnerAndMode) {
  ASSERT_EQ(::chmod(store.c_str(), 0640), 0);
  ASSERT_EQ(::chown(store.c_str(), 0, 4322), 0);
  struct stat before {};
  ASSERT_EQ(::stat(store.c_str(), &before), 0);
  auto r = edit(editor("add.sh", "echo 'set roles for user \"alice\" [\"web\"]' >> \"$1\"\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(store + ": installed\n"));
  EXPECT_EQ(read_text(store), std::string(kStore) + "set roles for user \"alice\" [\"web\"]\n");
  struct stat after {};
  ASSERT_EQ(::stat(store.c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino) << "installed by rename, not written in place";
  EXPECT_EQ(after.st_mode & 07777, 0640u);
  EXPECT_EQ(after.st_uid, 0u);
  EXPECT_EQ(after.st_gid, 4322u);
  EXPECT_FALSE(private_copies_left());
}

TEST_F(Edit, TheEditorEditsAPrivateCopyUnderTheFilesName) {
  auto r = edit(editor("where.sh", "echo \"$1\" > " + dir.path() + "/seen; ls -ld \"$(dirname \"$1\")\" >> " +
                                       dir.path() + "/seen\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string seen = read_text(dir.path() + "/seen");
  EXPECT_THAT(seen, HasSubstr(tmp + "/secstore-edit."));
  EXPECT_THAT(seen, HasSubstr("/Security.store\n"));
  EXPECT_THAT(seen, HasSubstr("drwx------ ")) << "only root may enter the copy's directory";
  EXPECT_EQ(r.out, store + ": unchanged\n") << "the editor changed nothing";
}

// As visudo: a file someone else is editing (or applying to) is busy. The
// second admin is told so at once, not left waiting on a lock an editor may
// hold for an hour, and their editor never starts.
TEST_F(Edit, AFileAnotherWriterHoldsIsBusy) {
  const int held = ::open((store + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  auto r = edit(editor("append.sh", "echo '# edited' >> \"$1\"\n"));
  ::close(held);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr(store + ": error: busy: another secstore edit or apply is changing it"));
  EXPECT_THAT(r.err, HasSubstr("try again later"));
  EXPECT_EQ(read_text(store), kStore);
  EXPECT_FALSE(private_copies_left());
}

TEST_F(Edit, AnInvalidEditWithoutATerminalIsRefusedAndChangesNothing) {
  auto r = edit(editor("typo.sh", "echo 'set \"web\" permissions [VIEW_SERVR]' >> \"$1\"\n"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(store + ":3:24: error: "));
  EXPECT_THAT(r.err, HasSubstr("VIEW_SERVR"));
  EXPECT_THAT(r.err, HasSubstr(store + " is left as it is"));
  EXPECT_EQ(read_text(store), kStore);
  EXPECT_FALSE(private_copies_left());
}

TEST_F(Edit, OnATerminalTheAdminMayEditAgain) {
  // The first run leaves a typo, the second fixes it.
  auto fixer = editor("twice.sh",
                      "if [ -e " + dir.path() + "/once ]; then\n"
                      "  sed -i 's/VIEW_SERVR/VIEW_SERVER/' \"$1\"\n"
                      "else\n"
                      "  touch " + dir.path() + "/once\n"
                      "  echo 'set \"ops\" permissions [VIEW_SERVR]' >> \"$1\"\n"
                      "fi\n");
  auto r = edit(fixer, {}, "e\n");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.terminal;
  EXPECT_THAT(r.terminal, HasSubstr("What now? (e)dit " + store + " again, or e(x)it without saving: "));
  EXPECT_EQ(read_text(store), std::string(kStore) + "set \"ops\" permissions [VIEW_SERVER]\n");
}

TEST_F(Edit, AnsweringExitDiscardsTheEdit) {
  auto r = edit(editor("typo.sh", "echo 'set \"web\" permissions [VIEW_SERVR]' >> \"$1\"\n"), {}, "x\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.terminal, HasSubstr("What now?"));
  EXPECT_EQ(read_text(store), kStore);
}

TEST_F(Edit, AnEditorThatFailsChangesNothing) {
  auto r = edit(editor("fail.sh", "echo 'set \"x\" permissions []' >> \"$1\"\nexit 3\n"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("exited with status 3"));
  EXPECT_EQ(read_text(store), kStore);
}

TEST_F(Edit, TheLockIsHeldWhileTheEditorRuns) {
  auto r = edit(editor("probe.sh", "if flock -n " + store + ".lock true; then echo free; else echo held; fi > " +
                                       dir.path() + "/lock\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(dir.path() + "/lock"), "held\n");
}

TEST_F(Edit, AnIndexIsRecompiled) {
  ASSERT_EQ(run_secstore({"compile", "--store", store, "--conf", conf}).exit_code, 0);
  auto r = edit(editor("add.sh", "echo 'set \"db\" permissions []' >> \"$1\"\n"), {"--store", store});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(store + ".idx: recompiled\n"));
  auto check = run_secstore({"check", "--store", store, "--conf", conf});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.err, Not(HasSubstr("does not use it")));
}

TEST_F(Edit, TheConfigurationIsValidatedWithItsIncludes) {
  dir.write("more.conf", "Security \"more\" { user = root capabilities = \"cap_net_raw+ep\" }\n");
  auto good = edit(editor("include.sh", "echo 'include \"more.conf\"' >> \"$1\"\n"), {"--conf", conf});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(read_text(conf), HasSubstr("include \"more.conf\""));
  auto bad = edit(editor("cap.sh", "echo 'Security { capabilities = \"cap_fly_kite+ep\" }' >> \"$1\"\n"),
                  {"--conf", conf});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("unknown capability \"cap_fly_kite\""));
  EXPECT_THAT(read_text(conf), Not(HasSubstr("cap_fly_kite")));
}

TEST_F(Edit, AFileThePamModuleWouldRefuseIsNotOpened) {
  ASSERT_EQ(::chmod(store.c_str(), 0666), 0);
  auto r = edit(editor("add.sh", "echo 'set \"db\" permissions []' >> \"$1\"\n"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("it is writable by others (mode 0666)"));
  EXPECT_EQ(read_text(store), kStore);
}

TEST_F(Edit, OneFileAtATime) {
  auto r = run_secstore({"edit", "--store", store, "--conf", conf});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("edit one file at a time"));
}

// sudoers may give `secstore edit` to users who are not root; an editor can
// start a shell, so through sudo it runs as the user who ran sudo, on a copy
// they own, as sudoedit does. The result is still validated and installed
// by root, with the store's own owner and mode.
TEST_F(Edit, ThroughSudoTheEditorRunsAsTheCaller) {
  SECSTORE_NEEDS_PRIVATE_MOUNTS("the command runs as root, as under sudo, with its own /etc/security");
  struct passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);  // the editor script must be reachable
  auto secret = dir.write("secret", "root only\n", 0600);
  auto script = editor("as.sh", "echo \"# edited by uid $(id -u)\" >> \"$1\"\n"
                                "if cat " + secret + " >/dev/null 2>&1; then echo '# the editor read root files' >> \"$1\"; fi\n");
  RunOptions options;
  options.env = {{"EDITOR", script}, {"VISUAL", ""}, {"TMPDIR", tmp}, {"SUDO_UID", std::to_string(nobody->pw_uid)}};
  options.etc_security = dir.path();
  auto r = run_secstore({"edit"}, options);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("/etc/security/Security.store: installed\n"));
  const std::string text = read_text(store);
  EXPECT_THAT(text, HasSubstr("# edited by uid " + std::to_string(nobody->pw_uid) + "\n"));
  EXPECT_THAT(text, Not(HasSubstr("the editor read root files")));
  struct stat st {};
  ASSERT_EQ(::stat(store.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_FALSE(private_copies_left());

  // And only the default files: --store names another.
  auto other = run_secstore({"edit", "--store", store}, options);
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, HasSubstr("through sudo, secstore edit works only on /etc/security/Security.store"));
}

}  // namespace
}  // namespace secstore_test
