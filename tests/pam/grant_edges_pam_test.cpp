// Nothing beyond the grant (SPEC §3, §4.4-§4.7), through the real libpam:
// each test is an attack someone tried on the module, and what must hold.
// The attacker is a login program's user who controls their name, their
// roles' names (through whoever writes the store), and what the program does
// after the session opens.
#include <sys/capability.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pam/real_pam.hpp"
#include "private_mounts.hpp"
#include "secstore/encoding.hpp"

namespace secstore::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCapsAndJail =
    "Security \"deploy\" {\n  user = secstore-t-alice\n  capabilities = \"cap_net_bind_service+ep\"\n"
    "  chroot = \"@JAIL@\"\n}\n";

class GrantEdges : public RealPam {
 protected:
  // A scope giving alice an ambient capability and a chroot.
  std::string jail_for_alice() {
    std::string jail = tree_.mkdir("jail");
    tree_.write("jail/secstore-marker", "");
    std::string conf = kCapsAndJail;
    conf.replace(conf.find("@JAIL@"), 6, jail);
    tree_.write("secstore.conf", conf);
    return jail;
  }
  // The login program's parent: open, pam_end(h, status) as it would, then
  // setuid to the user and go on running code the user influences.
  PamOutcome open_then_setuid(const std::string& user, const std::string& more_session = "") {
    write_service(confdir_, "store=" + store_ + " conf=" + conf_, more_session);
    PamScenario scenario;
    scenario.confdir = confdir_;
    scenario.user = user;
    scenario.end_then_setuid_to = uid_of(user);
    PamOutcome o = run_pam(scenario, tree_.path("syslog"));
    EXPECT_EQ(o.child_error, "");
    return o;
  }
};

// A program that opens the session, calls pam_end normally and then setuid()s
// to the user must not keep root's permitted set through KEEPCAPS.
TEST_F(GrantEdges, AProgramThatSetuidsAfterPamEndCannotRegainRoot) {
  for (const char* user : {kAlice, kBob}) {  // granted something, granted nothing
    SCOPED_TRACE(user);
    PamOutcome o = open_then_setuid(user);
    ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
    ASSERT_TRUE(o.after_parent_end && o.after_parent_setuid);
    EXPECT_EQ(o.after_parent_end->keepcaps, 0) << "KEEPCAPS outlived the transaction";
    EXPECT_EQ(o.after_parent_end->inheritable, o.before.inheritable) << describe(*o.after_parent_end);
    EXPECT_EQ(o.after_parent_setuid->permitted, 0u) << describe(*o.after_parent_setuid);
    EXPECT_EQ(o.after_parent_setuid->effective, 0u) << describe(*o.after_parent_setuid);
    EXPECT_EQ(o.escalation, "raise=refused shadow=refused setresuid=refused");
  }
}

// A later session module fails the open: the transaction ends, and nothing
// the module did may stay (the chroot, KEEPCAPS, the inheritable set).
TEST_F(GrantEdges, ALaterModuleThatFailsTheOpenLeavesNothingBehind) {
  jail_for_alice();
  PamOutcome o = open_then_setuid(kAlice, "session required pam_deny.so");
  EXPECT_NE(o.open_rc, PAM_SUCCESS) << "pam_deny did not fail the open";
  ASSERT_TRUE(o.after_parent_end && o.after_parent_setuid) << all_lines(o);
  EXPECT_TRUE(o.after_open.marker_at_root) << "the module did not chroot: the test proves nothing";
  EXPECT_EQ(o.after_open.keepcaps, 1) << "the module did not set KEEPCAPS: the test proves nothing";
  EXPECT_FALSE(o.after_parent_end->marker_at_root) << "the process stayed in the session's chroot";
  EXPECT_EQ(o.after_parent_end->keepcaps, 0);
  EXPECT_EQ(o.after_parent_end->inheritable, o.before.inheritable) << describe(*o.after_parent_end);
  EXPECT_EQ(o.after_parent_end->ambient, o.before.ambient);
  EXPECT_EQ(o.escalation, "raise=refused shadow=refused setresuid=refused");
}

// The cooperating path (su, runuser, login): the child setuid()s, ends the
// transaction with PAM_DATA_SILENT and execs the shell. Between the two it
// holds exactly the grant, not root's permitted set.
TEST_F(GrantEdges, TheCooperatingChildHoldsExactlyTheGrant) {
  PamOutcome o = login(kAlice);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  ASSERT_TRUE(o.after_end);
  const std::uint64_t grant = bit(CAP_NET_BIND_SERVICE);
  EXPECT_EQ(o.after_end->permitted, grant) << describe(*o.after_end);
  EXPECT_EQ(o.after_end->effective, grant) << describe(*o.after_end);
  EXPECT_EQ(o.after_end->ambient, grant) << describe(*o.after_end);
  EXPECT_EQ(o.after_end->keepcaps, 0);
}

// Root confined by a `user = root` scope, started with capabilities in its
// inheritable set (capsh --inh, or a user's ambient grant before `su -`):
// root's exec turns the inheritable set into permitted, so it must shrink
// to the scope's list too.
TEST_F(GrantEdges, AConfinedRootKeepsNothingItInherited) {
  tree_.write("secstore.conf", "Security \"root\" {\n  user = root\n  capabilities = \"^cap_net_bind_service\"\n}\n");
  PamScenario scenario;
  scenario.inheritable_before = bit(CAP_SYS_ADMIN) | bit(CAP_SYS_PTRACE);
  scenario.setuid_to = 0;
  PamOutcome o = run(std::string("root"), "", scenario);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(o.before.inheritable, bit(CAP_SYS_ADMIN) | bit(CAP_SYS_PTRACE)) << "the test could not set up";
  const std::uint64_t listed = bit(CAP_NET_BIND_SERVICE);
  EXPECT_EQ(o.after_open.inheritable & ~listed, 0u) << describe(o.after_open);
  ASSERT_TRUE(o.shell);
  EXPECT_EQ(o.shell->bounding, listed) << describe(*o.shell);
  EXPECT_EQ(o.shell->permitted & ~listed, 0u) << describe(*o.shell);
  EXPECT_EQ(o.shell->effective & ~listed, 0u) << describe(*o.shell);
  EXPECT_EQ(o.shell->inheritable & ~listed, 0u) << describe(*o.shell);
}

// Selectors match the account's uid, not its spelling: a second uid-0 account
// is root, and an account whose name is digits is not the uid those digits
// spell.
TEST_F(GrantEdges, EveryUidZeroAccountIsRoot) {
  SECSTORE_NEEDS_PRIVATE_MOUNTS("a second uid-0 account in a private /etc/passwd");
  tree_.write("secstore.conf", "Security \"root\" {\n  user = root\n  capabilities = \"^cap_net_bind_service\"\n}\n");
  PamScenario scenario;
  scenario.extra_passwd = {"secstore-t-toor:x:0:0::/nonexistent:/usr/sbin/nologin"};
  PamOutcome o = run(std::string("secstore-t-toor"), "", scenario);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(o.after_open.bounding, bit(CAP_NET_BIND_SERVICE)) << describe(o.after_open);
  ASSERT_FALSE(o.lines.empty());
  EXPECT_THAT(o.lines[0].text, HasSubstr("user \"secstore-t-toor\" (uid 0)"));
}

TEST_F(GrantEdges, AnAccountNamedWithDigitsIsNotThatUid) {
  SECSTORE_NEEDS_PRIVATE_MOUNTS("an account named with digits in a private /etc/passwd");
  const std::string alice_uid = std::to_string(uid_of(kAlice));
  tree_.write("secstore.conf", "Security {\n  user = " + alice_uid +
                                   "\n  capabilities = \"cap_net_bind_service+ep\"\n}\n");
  PamScenario scenario;
  // Named like alice's uid, with a uid of its own.
  scenario.extra_passwd = {alice_uid + ":x:64990:" + std::to_string(gid_of_group(kAlice)) +
                           "::/nonexistent:/usr/sbin/nologin"};
  PamOutcome impostor = run(alice_uid, "", scenario);
  ASSERT_EQ(impostor.open_rc, PAM_SUCCESS) << all_lines(impostor);
  EXPECT_EQ(impostor.after_open.inheritable, 0u) << "the scope for uid " << alice_uid << " matched a name";
  PamOutcome alice = run(std::string(kAlice), "", scenario);
  ASSERT_EQ(alice.open_rc, PAM_SUCCESS) << all_lines(alice);
  EXPECT_EQ(alice.after_open.inheritable, bit(CAP_NET_BIND_SERVICE)) << "the scope does not match uid " << alice_uid;
}

// A name that holds a newline must not write a second, forged line.
TEST_F(GrantEdges, AUserNameCannotForgeALogLine) {
  const std::string forged = "secstore-t-x\nsession opened for user \"root\" (uid 0)";
  PamOutcome o = run(forged);
  EXPECT_EQ(o.open_rc, PAM_SESSION_ERR);
  ASSERT_EQ(o.lines.size(), 1u) << all_lines(o);
  EXPECT_THAT(o.lines[0].text, Not(HasSubstr("\n")));
  EXPECT_THAT(o.lines[0].text, HasSubstr("unknown user \"secstore-t-x\\x0Asession opened for user \\\"root\\\" (uid 0)\""));
}

TEST_F(GrantEdges, ARoleNameCannotForgeALogLine) {
  tree_.write("Security.store", "set roles for user \"secstore-t-bob\" [\"r\\\" granted \\\"all\"]\n");
  PamOutcome o = run(std::string(kBob), "debug");
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  std::string all = all_lines(o);
  EXPECT_THAT(all, HasSubstr("r\\\" granted \\\"all")) << "the quote in the role name is not escaped";
  EXPECT_THAT(all, Not(HasSubstr("r\" granted")));
}

// A session made anonymous by anonymous=@group still has a Unix user; the
// log names it.
TEST_F(GrantEdges, AnAnonymousSessionIsLoggedWithItsUser) {
  PamOutcome o = run(std::string(kBob), std::string("debug anonymous=@") + kGuestsGroup);
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  ASSERT_FALSE(o.lines.empty());
  EXPECT_THAT(all_lines(o), HasSubstr("anonymous session (user \"secstore-t-bob\", uid " +
                                                std::to_string(uid_of(kBob)) + ")"));
}

// Role names may hold ',', '=', '%' and control characters: SECSTORE_ROLES
// percent-encodes them so that the list splits back into the same names.
TEST_F(GrantEdges, SecstoreRolesKeepsEveryRoleNameWhole) {
  tree_.write("Security.store", "set roles for user \"secstore-t-bob\" [\"ops,admin\", \"a=b\", \"50%\", \"cr\rhere\"]\n");
  PamOutcome o = run(std::string(kBob));
  ASSERT_EQ(o.open_rc, PAM_SUCCESS) << all_lines(o);
  auto roles = env_value(o, "SECSTORE_ROLES");
  ASSERT_TRUE(roles);
  EXPECT_EQ(*roles, "50%25,a%3Db,cr%0Dhere,ops%2Cadmin");
  EXPECT_EQ(decode_role_list(*roles), (std::vector<std::string>{"50%", "a=b", "cr\rhere", "ops,admin"}));
}

// pam_setcred(PAM_ESTABLISH_CRED) before open (su, runuser) is gated by
// require= as the open is: no groups for a session that would be refused.
TEST_F(GrantEdges, EstablishingCredentialsIsRefusedWhenRequireIsNotHeld) {
  tree_.write("secstore.conf", "Security {\n  user = secstore-t-bob\n  supplemental_groups = ( secstore-t-extra )\n}\n");
  PamScenario scenario;
  scenario.setcred = true;
  PamOutcome o = run(std::string(kBob), "require=CONTROL_SERVER", scenario);
  EXPECT_NE(o.setcred_rc, PAM_SUCCESS);
  const gid_t extra = gid_of_group(kExtraGroup);
  EXPECT_EQ(std::count(o.before.groups.begin(), o.before.groups.end(), extra), 0) << "the group was added";
  PamOutcome allowed = run(std::string(kBob), "require=AUTHENTICATE", scenario);
  EXPECT_EQ(allowed.setcred_rc, PAM_SUCCESS) << all_lines(allowed);
  EXPECT_EQ(std::count(allowed.before.groups.begin(), allowed.before.groups.end(), extra), 1)
      << "the scope gives bob the group: the refusal above proves nothing";
}

// An all-digit group is a gid (SPEC §3). One past gid_t's range must not
// wrap to 0 and put the user in the root group: the configuration is
// refused, and the user's groups stay as they were.
TEST_F(GrantEdges, AGidPastTheRangeDoesNotWrapToTheRootGroup) {
  PamScenario scenario;
  scenario.setcred = true;
  // The groups the process has with a scope that adds none (a root test
  // runner may itself hold gid 0).
  tree_.write("secstore.conf", "Security {\n  user = secstore-t-bob\n}\n");
  PamOutcome baseline = run(std::string(kBob), "", scenario);
  ASSERT_EQ(baseline.setcred_rc, PAM_SUCCESS) << all_lines(baseline);
  tree_.write("secstore.conf", "Security {\n  user = secstore-t-bob\n  supplemental_groups = ( 4294967296 )\n}\n");
  PamOutcome o = run(std::string(kBob), "", scenario);
  EXPECT_NE(o.setcred_rc, PAM_SUCCESS) << all_lines(o);
  EXPECT_EQ(std::count(o.before.groups.begin(), o.before.groups.end(), gid_t{0}),
            std::count(baseline.before.groups.begin(), baseline.before.groups.end(), gid_t{0}))
      << "bob was put in the root group";
  EXPECT_EQ(o.before.groups, baseline.before.groups);
  EXPECT_THAT(all_lines(o), HasSubstr("4294967296"));
}

}  // namespace
}  // namespace secstore::test
