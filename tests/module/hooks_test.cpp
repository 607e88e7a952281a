// The hooks end to end against the libpam seam: arguments, PAM items, real
// store and configuration files, the gate, the environment, and exactly which
// syslog line each outcome produces.
#include <grp.h>
#include <pwd.h>
#include <gtest/gtest.h>
#include <sys/capability.h>
#include <syslog.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "needs_root.hpp"
#include "secstore/encoding.hpp"
#include "../../module/hooks.hpp"
#include "mock_process_changes.hpp"
#include "pam_seam.hpp"
#include "temp_tree.hpp"

namespace secstore::module {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Return;
using ::testing::SaveArg;
using ::testing::StartsWith;
using test::MockProcessChanges;
using test::PamSeam;
using test::TempTree;

// root (group root) and nobody (group nogroup) exist on every Debian system.
constexpr const char* kStore = R"(# roles for the hook tests
set roles for named sessions ["Named"]
set roles for anonymous sessions ["Guest"]
set roles for user "root" ["Admin"]
set roles for group "nogroup" ["NoGroup"]
set "Admin" permissions [CONTROL_SERVER]
set "Admin" includes ["Ops"]
set "Ops" path "net" permissions [READ_TOPIC, SELECT_TOPIC]
set "Guest" permissions [AUTHENTICATE]
)";

constexpr const char* kConf = R"(# plans for the hook tests
Security "admin" {
  user = root
  capabilities = "cap_net_bind_service+ep"
}
Security "nobody" {
  user = nobody
  capabilities = "cap_net_raw=i"
  supplemental_groups = ( daemon )
}
)";

constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

class ModuleHooks : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the module accepts only root-owned files");
    store_ = tree_.write("Security.store", kStore);
    conf_ = tree_.write("secstore.conf", kConf);
    pam_.set_service("login");
  }

  std::vector<const char*> argv(const std::vector<std::string>& extra) {
    words_ = {"store=" + store_, "conf=" + conf_};
    words_.insert(words_.end(), extra.begin(), extra.end());
    std::vector<const char*> out;
    for (const auto& w : words_) out.push_back(w.c_str());
    return out;
  }
  int open(const std::vector<std::string>& extra = {}) {
    auto v = argv(extra);
    return open_session(pam_.handle(), 0, static_cast<int>(v.size()), v.data(), changes_);
  }
  int account(const std::vector<std::string>& extra = {}) {
    auto v = argv(extra);
    return acct_mgmt(pam_.handle(), 0, static_cast<int>(v.size()), v.data());
  }
  int establish(const std::vector<std::string>& extra = {}, int flags = PAM_ESTABLISH_CRED) {
    auto v = argv(extra);
    return setcred(pam_.handle(), flags, static_cast<int>(v.size()), v.data(), changes_);
  }

  // A session that must not change the process or the environment.
  void expect_nothing_applied() {
    EXPECT_CALL(changes_, apply_session_plan(_, _, _)).Times(0);
  }

  TempTree tree_;
  std::string store_, conf_;
  std::vector<std::string> words_;
  NiceMock<PamSeam> pam_;
  NiceMock<MockProcessChanges> changes_;
};

test::LogLine single(const std::vector<test::LogLine>& lines) {
  EXPECT_EQ(lines.size(), 1u) << "expected exactly one syslog line";
  return lines.empty() ? test::LogLine{-1, ""} : lines.front();
}

TEST_F(ModuleHooks, ANamedSessionGetsItsRolesPlanAndEnvironment) {
  pam_.set_user("root");
  SessionPlan plan;
  EXPECT_CALL(changes_, apply_session_plan(pam_.handle(), _, true))
      .WillOnce(DoAll(SaveArg<1>(&plan), Return(std::nullopt)));
  EXPECT_EQ(open(), PAM_SUCCESS);
  EXPECT_EQ(pam_.env["SECSTORE_SESSION"], "named");
  EXPECT_EQ(pam_.env["SECSTORE_ROLES"], "Admin,Named,Ops");
  EXPECT_EQ(plan.caps.ambient, bit(CAP_NET_BIND_SERVICE));
  EXPECT_TRUE(plan.root_exclusive) << "uid 0 with capabilities keeps exactly those";
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_INFO);
  EXPECT_THAT(line.text, StartsWith("session opened for user \"root\" (uid 0) (named; roles Admin,Named,Ops"));
  EXPECT_THAT(line.text, HasSubstr("ambient cap_net_bind_service"));
}

TEST_F(ModuleHooks, GroupRolesReachTheSession) {
  pam_.set_user("nobody");
  SessionPlan plan;
  EXPECT_CALL(changes_, apply_session_plan(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&plan), Return(std::nullopt)));
  EXPECT_EQ(open(), PAM_SUCCESS);
  EXPECT_EQ(pam_.env["SECSTORE_ROLES"], "Named,NoGroup");
  EXPECT_EQ(plan.caps.inheritable, bit(CAP_NET_RAW));
  EXPECT_EQ(plan.caps.ambient, 0u);
  EXPECT_FALSE(plan.root_exclusive);
}

TEST_F(ModuleHooks, AnUnsetUserIsAnonymous) {
  pam_.set_user(nullptr);
  EXPECT_EQ(open(), PAM_SUCCESS);
  EXPECT_EQ(pam_.env["SECSTORE_SESSION"], "anonymous");
  EXPECT_EQ(pam_.env["SECSTORE_ROLES"], "Guest");
}

TEST_F(ModuleHooks, AnEmptyUserIsAnonymous) {
  pam_.set_user("");
  EXPECT_EQ(open(), PAM_SUCCESS);
  EXPECT_EQ(pam_.env["SECSTORE_SESSION"], "anonymous");
}

TEST_F(ModuleHooks, TheDefaultAnonymousUserNeedNotExist) {
  pam_.set_user("anonymous");
  EXPECT_EQ(open(), PAM_SUCCESS);
  EXPECT_EQ(pam_.env["SECSTORE_SESSION"], "anonymous");
  EXPECT_EQ(pam_.env["SECSTORE_ROLES"], "Guest");
}

TEST_F(ModuleHooks, AnonymousByNameAndByGroup) {
  pam_.set_user("nobody");
  EXPECT_EQ(open({"anonymous=guest,nobody"}), PAM_SUCCESS);
  EXPECT_EQ(pam_.env["SECSTORE_SESSION"], "anonymous");
  pam_.env.clear();
  pam_.set_user("root");
  EXPECT_EQ(open({"anonymous=@root"}), PAM_SUCCESS);
  EXPECT_EQ(pam_.env["SECSTORE_SESSION"], "anonymous");
  EXPECT_EQ(pam_.env["SECSTORE_ROLES"], "Guest");
}

TEST_F(ModuleHooks, NoenvLeavesTheEnvironmentAlone) {
  pam_.set_user("root");
  EXPECT_EQ(open({"noenv"}), PAM_SUCCESS);
  EXPECT_TRUE(pam_.env.empty());
}

TEST_F(ModuleHooks, AnUnknownUserFailsTheSessionWithOneErrorLine) {
  pam_.set_user("secstore-no-such-user");
  expect_nothing_applied();
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ERR);
  EXPECT_EQ(line.text, "unknown user \"secstore-no-such-user\": the name service does not know it");
  EXPECT_TRUE(pam_.env.empty());
}

TEST_F(ModuleHooks, AnUnknownArgumentIsLoggedAtErrAndFailsEveryHook) {
  pam_.set_user("root");
  expect_nothing_applied();
  EXPECT_EQ(open({"requires=CONTROL_SERVER"}), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ERR);
  EXPECT_THAT(line.text, StartsWith("unknown argument \"requires=CONTROL_SERVER\""));
  pam_.lines.clear();
  EXPECT_EQ(account({"requires=CONTROL_SERVER"}), PAM_SERVICE_ERR);
  EXPECT_EQ(single(pam_.lines).priority, LOG_ERR);
  pam_.lines.clear();
  EXPECT_EQ(establish({"requires=CONTROL_SERVER"}), PAM_CRED_ERR);
  EXPECT_EQ(single(pam_.lines).priority, LOG_ERR);
  pam_.lines.clear();
  const char* bad[] = {"bogus"};
  EXPECT_EQ(authenticate(pam_.handle(), 0, 1, bad), PAM_SERVICE_ERR);
  EXPECT_EQ(close_session(pam_.handle(), 0, 1, bad), PAM_SESSION_ERR);
  EXPECT_EQ(pam_.lines.size(), 2u);
}

TEST_F(ModuleHooks, AMissingStoreIsAnAlert) {
  pam_.set_user("root");
  expect_nothing_applied();
  std::string missing = tree_.path("absent.store");
  EXPECT_EQ(open({"store=" + missing}), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ALERT);
  EXPECT_EQ(line.text, missing + ": error: cannot open the file: No such file or directory");
}

TEST_F(ModuleHooks, AMalformedStoreNamesFileLineAndColumn) {
  tree_.write("Security.store", "set roles for named sessions [\"A\"]\nset \"A\" permissions [BOGUS]\n");
  pam_.set_user("root");
  expect_nothing_applied();
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ALERT);
  EXPECT_THAT(line.text, StartsWith(store_ + ":2:"));
  EXPECT_THAT(line.text, HasSubstr("error: "));
  EXPECT_THAT(line.text, HasSubstr("BOGUS"));
  EXPECT_TRUE(pam_.env.empty());
}

TEST_F(ModuleHooks, AWorldWritableConfigurationIsRefused) {
  tree_.write("secstore.conf", kConf, 0666);
  pam_.set_user("root");
  expect_nothing_applied();
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ALERT);
  EXPECT_EQ(line.text, conf_ + ": error: refusing an unsafe file: it is writable by others (mode 0666)");
}

TEST_F(ModuleHooks, AStoreNotOwnedByRootIsRefused) {
  ASSERT_EQ(::chown(store_.c_str(), 65534, 65534), 0);
  pam_.set_user("root");
  expect_nothing_applied();
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ALERT);
  EXPECT_EQ(line.text, store_ + ": error: refusing an unsafe file: it is owned by uid 65534, not by root");
}

TEST_F(ModuleHooks, AnUnknownCapabilityIsAnAlertAtItsLine) {
  tree_.write("secstore.conf", "Security {\n  user = root\n  capabilities = \"cap_bogus+ep\"\n}\n");
  pam_.set_user("root");
  expect_nothing_applied();
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ALERT);
  EXPECT_THAT(line.text, StartsWith(conf_ + ":3:"));
  EXPECT_THAT(line.text, HasSubstr("cap_bogus"));
}

TEST_F(ModuleHooks, AGroupTheConfigurationNamesMustExist) {
  tree_.write("secstore.conf", "Security {\n  group = secstore-no-such-group\n  capabilities = \"cap_net_raw=i\"\n}\n");
  pam_.set_user("root");
  expect_nothing_applied();
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ALERT);
  EXPECT_THAT(line.text, StartsWith(conf_ + ":2:"));
  EXPECT_THAT(line.text, HasSubstr("group \"secstore-no-such-group\" does not exist"));
}

TEST_F(ModuleHooks, RequireLetsThroughASessionThatHoldsThePermission) {
  pam_.set_user("root");
  EXPECT_EQ(open({"require=CONTROL_SERVER"}), PAM_SUCCESS);
  EXPECT_EQ(account({"require=CONTROL_SERVER"}), PAM_SUCCESS);
}

TEST_F(ModuleHooks, RequireDeniesWithOneNoticeNamingUserAndPermission) {
  pam_.set_user("nobody");
  expect_nothing_applied();
  EXPECT_EQ(open({"require=CONTROL_SERVER,AUTHENTICATE"}), PAM_PERM_DENIED);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_NOTICE);
  EXPECT_EQ(line.text, "user \"nobody\" (uid " + std::to_string(::getpwnam("nobody")->pw_uid) +
                           ") denied: the session (roles Named,NoGroup) lacks AUTHENTICATE, CONTROL_SERVER");
  EXPECT_TRUE(pam_.env.empty());
  // SPEC §4.7: the user is told which permission their roles lack.
  ASSERT_EQ(pam_.told.size(), 1u);
  EXPECT_EQ(pam_.told[0], "Access denied: your roles (Named,NoGroup) do not give AUTHENTICATE, CONTROL_SERVER.");
}

TEST_F(ModuleHooks, ASilentStackTellsTheUserNothing) {
  pam_.set_user("nobody");
  auto v = argv({"require=CONTROL_SERVER"});
  EXPECT_EQ(open_session(pam_.handle(), PAM_SILENT, static_cast<int>(v.size()), v.data(), changes_), PAM_PERM_DENIED);
  EXPECT_TRUE(pam_.told.empty());
  EXPECT_EQ(single(pam_.lines).priority, LOG_NOTICE);
}

TEST_F(ModuleHooks, RequireDeniesAnonymousSessionsToo) {
  pam_.set_user("");
  EXPECT_EQ(open({"require=CONTROL_SERVER"}), PAM_PERM_DENIED);
  EXPECT_EQ(single(pam_.lines).text,
            "anonymous session (no user) denied: the session (roles Guest) lacks CONTROL_SERVER");
}

TEST_F(ModuleHooks, RequirePathChecksEachPathAndNamesWhatIsMissing) {
  pam_.set_user("root");
  EXPECT_EQ(open({"require_path=net:READ_TOPIC", "require_path=/net/eth0/:SELECT_TOPIC"}), PAM_SUCCESS);
  pam_.lines.clear();
  pam_.env.clear();
  EXPECT_EQ(open({"require_path=net:READ_TOPIC", "require_path=web:READ_TOPIC,UPDATE_TOPIC"}),
            PAM_PERM_DENIED);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_NOTICE);
  EXPECT_EQ(line.text,
            "user \"root\" (uid 0) denied: the session (roles Admin,Named,Ops) lacks READ_TOPIC on path "
            "\"web\", UPDATE_TOPIC on path \"web\"");
}

TEST_F(ModuleHooks, AccountGatesWithoutChangingTheProcess) {
  pam_.set_user("nobody");
  expect_nothing_applied();
  EXPECT_CALL(changes_, add_supplementary_groups(_)).Times(0);
  EXPECT_EQ(account({"require=CONTROL_SERVER"}), PAM_PERM_DENIED);
  EXPECT_EQ(single(pam_.lines).priority, LOG_NOTICE);
  pam_.lines.clear();
  EXPECT_EQ(account(), PAM_SUCCESS);
  EXPECT_TRUE(pam_.lines.empty()) << "an allowed account check is silent without debug";
  EXPECT_TRUE(pam_.env.empty());
}

TEST_F(ModuleHooks, AccountFailsClosedOnConfigurationErrorsAndUnknownUsers) {
  tree_.write("Security.store", "set \"A\" permisions []\n");
  pam_.set_user("root");
  EXPECT_EQ(account(), PAM_SERVICE_ERR);
  EXPECT_EQ(single(pam_.lines).priority, LOG_ALERT);
  pam_.lines.clear();
  tree_.write("Security.store", kStore);
  pam_.set_user("secstore-no-such-user");
  EXPECT_EQ(account(), PAM_USER_UNKNOWN);
  EXPECT_EQ(single(pam_.lines).priority, LOG_ERR);
}

TEST_F(ModuleHooks, AFailureWhileApplyingIsLoggedOnceAndWithdrawsTheEnvironment) {
  pam_.set_user("root");
  EXPECT_CALL(changes_, apply_session_plan(_, _, _))
      .WillOnce(Return(Failure{FailureKind::Capability, "capability cap_sys_resource cannot be granted: it is not in this "
                               "process's bounding set", {}}));
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_ERR);
  EXPECT_EQ(line.text,
            "capability cap_sys_resource cannot be granted: it is not in this process's bounding set");
  EXPECT_TRUE(pam_.env.empty());
}

TEST_F(ModuleHooks, ASystemFailureWhileApplyingIsCritical) {
  pam_.set_user("root");
  EXPECT_CALL(changes_, apply_session_plan(_, _, _))
      .WillOnce(Return(Failure{FailureKind::System, "cannot chroot to \"/x\": Permission denied", {}}));
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  EXPECT_EQ(single(pam_.lines).priority, LOG_CRIT);
}

TEST_F(ModuleHooks, APerServiceFileReplacesTheMainScopes) {
  tree_.write("secstore.d/backup.conf", "Security {\n  user = root\n  capabilities = \"cap_dac_read_search+ep\"\n}\n");
  pam_.set_service("backup");
  pam_.set_user("root");
  SessionPlan plan;
  EXPECT_CALL(changes_, apply_session_plan(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&plan), Return(std::nullopt)));
  EXPECT_EQ(open(), PAM_SUCCESS);
  EXPECT_EQ(plan.caps.ambient, bit(CAP_DAC_READ_SEARCH));
}

TEST_F(ModuleHooks, EstablishingCredentialsAddsTheSupplementalGroups) {
  pam_.set_user("nobody");
  std::vector<gid_t> gids;
  EXPECT_CALL(changes_, add_supplementary_groups(_)).WillOnce(DoAll(SaveArg<0>(&gids), Return(std::nullopt)));
  EXPECT_EQ(establish(), PAM_SUCCESS);
  struct group* daemon = ::getgrnam("daemon");
  ASSERT_NE(daemon, nullptr);
  EXPECT_EQ(gids, std::vector<gid_t>{daemon->gr_gid});
  EXPECT_TRUE(pam_.lines.empty());
}

TEST_F(ModuleHooks, OtherCredentialCallsChangeNothing) {
  pam_.set_user("nobody");
  EXPECT_CALL(changes_, add_supplementary_groups(_)).Times(0);
  EXPECT_EQ(establish({}, PAM_DELETE_CRED), PAM_SUCCESS);
  EXPECT_EQ(establish({}, PAM_REFRESH_CRED), PAM_SUCCESS);
  EXPECT_EQ(establish({}, PAM_REINITIALIZE_CRED), PAM_SUCCESS);
}

TEST_F(ModuleHooks, EstablishingCredentialsIsGatedAsOpenIs) {
  // SPEC §4.1: a session refused by require= gets no supplemental groups
  // from setcred either.
  pam_.set_user("nobody");
  EXPECT_CALL(changes_, add_supplementary_groups(_)).Times(0);
  EXPECT_EQ(establish({"require=CONTROL_SERVER"}), PAM_PERM_DENIED);
  EXPECT_EQ(single(pam_.lines).priority, LOG_NOTICE);
}

TEST_F(ModuleHooks, EstablishingCredentialsFailsOnAnUnknownUser) {
  pam_.set_user("secstore-no-such-user");
  EXPECT_CALL(changes_, add_supplementary_groups(_)).Times(0);
  EXPECT_EQ(establish(), PAM_USER_UNKNOWN);
  EXPECT_EQ(single(pam_.lines).priority, LOG_ERR);
}

// util-linux login calls setcred after open_session; a chrooted session can
// no longer see the store or the configuration by then.
TEST_F(ModuleHooks, EstablishingAfterOpenAddsTheGroupsOpenResolvedWithoutReadingFiles) {
  pam_.set_user("nobody");
  ASSERT_EQ(open(), PAM_SUCCESS);
  pam_.lines.clear();
  ASSERT_EQ(::unlink(store_.c_str()), 0);
  ASSERT_EQ(::unlink(conf_.c_str()), 0);
  std::vector<gid_t> gids;
  EXPECT_CALL(changes_, add_supplementary_groups(_)).WillOnce(DoAll(SaveArg<0>(&gids), Return(std::nullopt)));
  EXPECT_EQ(establish(), PAM_SUCCESS);
  struct group* daemon = ::getgrnam("daemon");
  ASSERT_NE(daemon, nullptr);
  EXPECT_EQ(gids, std::vector<gid_t>{daemon->gr_gid});
  EXPECT_TRUE(pam_.lines.empty()) << pam_.lines.front().text;
}

// The same files missing without an open first: setcred reads them and fails,
// so the test above passes only because open's groups were used.
TEST_F(ModuleHooks, EstablishingWithoutOpenStillReadsTheFiles) {
  pam_.set_user("nobody");
  ASSERT_EQ(::unlink(store_.c_str()), 0);
  EXPECT_CALL(changes_, add_supplementary_groups(_)).Times(0);
  EXPECT_EQ(establish(), PAM_CRED_ERR);
  EXPECT_EQ(single(pam_.lines).priority, LOG_ALERT);
}

TEST_F(ModuleHooks, AnOpenThatFailsLeavesNoGroupsForSetcred) {
  pam_.set_user("nobody");
  EXPECT_CALL(changes_, apply_session_plan(_, _, _))
      .WillOnce(Return(Failure{FailureKind::System, "cannot chroot to \"/x\": Permission denied", {}}));
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  pam_.lines.clear();
  tree_.write("secstore.conf", "Security {\n  user = nobody\n}\n");
  EXPECT_CALL(changes_, add_supplementary_groups(std::vector<gid_t>{})).WillOnce(Return(std::nullopt));
  EXPECT_EQ(establish(), PAM_SUCCESS);
  EXPECT_TRUE(pam_.lines.empty());
}

TEST_F(ModuleHooks, AnOpenWithAnUnknownGroupAppliesNothingAndKeepsNothing) {
  tree_.write("secstore.conf",
              "Security {\n  user = nobody\n  supplemental_groups = ( secstore-no-such-group )\n}\n");
  pam_.set_user("nobody");
  expect_nothing_applied();
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  EXPECT_EQ(single(pam_.lines).priority, LOG_ALERT);
  EXPECT_TRUE(pam_.env.empty());
  EXPECT_TRUE(pam_.data.empty());
}

TEST_F(ModuleHooks, AuthenticateIgnoresTheStack) {
  const char* none[] = {"debug"};
  EXPECT_EQ(authenticate(pam_.handle(), 0, 1, none), PAM_IGNORE);
  EXPECT_TRUE(pam_.lines.empty());
}

// The open line already says who got what; close logs only with `debug`
// (one syslog connect per login instead of two).
TEST_F(ModuleHooks, CloseIsSilentWithoutDebug) {
  pam_.set_user("root");
  auto v = argv({});
  EXPECT_EQ(close_session(pam_.handle(), 0, static_cast<int>(v.size()), v.data()), PAM_SUCCESS);
  EXPECT_TRUE(pam_.lines.empty());
}

TEST_F(ModuleHooks, CloseLogsOneDebugLineWithDebug) {
  pam_.set_user("root");
  auto v = argv({"debug"});
  EXPECT_EQ(close_session(pam_.handle(), 0, static_cast<int>(v.size()), v.data()), PAM_SUCCESS);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_DEBUG);
  EXPECT_EQ(line.text, "session closed for user \"root\"");
}

TEST_F(ModuleHooks, DebugAddsDebugLinesOnly) {
  pam_.set_user("root");
  EXPECT_EQ(account({"debug"}), PAM_SUCCESS);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.priority, LOG_DEBUG);
  EXPECT_THAT(line.text, StartsWith("account allowed for user \"root\""));
}

TEST_F(ModuleHooks, ASessionThatGetsNothingIsLoggedOnlyWithDebug) {
  // SPEC §4.7: every cron job would otherwise add a line beside pam_unix's.
  tree_.write("secstore.conf", "");
  pam_.set_user("root");
  EXPECT_EQ(open(), PAM_SUCCESS);
  EXPECT_TRUE(pam_.lines.empty()) << pam_.lines.front().text;
  EXPECT_EQ(open({"debug"}), PAM_SUCCESS);
  ASSERT_EQ(pam_.lines.size(), 2u);
  EXPECT_EQ(pam_.lines[1].priority, LOG_DEBUG);
  EXPECT_THAT(pam_.lines[1].text, HasSubstr("which gets nothing"));
}

TEST_F(ModuleHooks, NamesInLogLinesAreEscaped) {
  // SPEC §4.7: a user or role name holding a control character cannot end
  // the line early or fake another one.
  pam_.set_user("nobody\nsession opened for user \"root\"");
  EXPECT_EQ(open(), PAM_SESSION_ERR);
  auto line = single(pam_.lines);
  EXPECT_EQ(line.text, "unknown user \"nobody\\x0Asession opened for user \\\"root\\\"\": the name service does not know it");
  pam_.lines.clear();
  tree_.write("Security.store", "set roles for named sessions [\"ops\r\x1b[2K\"]\n");
  pam_.set_user("root");
  EXPECT_EQ(open(), PAM_SUCCESS);
  line = single(pam_.lines);
  EXPECT_THAT(line.text, HasSubstr("roles ops\\x0D\\x1B[2K;"));
  for (char c : line.text) EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << line.text;
}

TEST_F(ModuleHooks, DebugAtOpenExplainsTheDecisionBeforeTheOutcome) {
  pam_.set_user("root");
  EXPECT_EQ(open({"debug"}), PAM_SUCCESS);
  ASSERT_EQ(pam_.lines.size(), 2u);
  EXPECT_EQ(pam_.lines[0].priority, LOG_DEBUG);
  EXPECT_THAT(pam_.lines[0].text, HasSubstr("global permissions CONTROL_SERVER"));
  EXPECT_THAT(pam_.lines[0].text, HasSubstr("scopes \"admin\" (" + conf_ + ":2)"));
  EXPECT_EQ(pam_.lines[1].priority, LOG_INFO);
}

TEST(DescribeSubject, EveryFormOfTheSessionsSubject) {
  EXPECT_EQ(describe_subject(SessionSubject::named("alice", {}, 1001)), "user \"alice\" (uid 1001)");
  EXPECT_EQ(describe_subject(SessionSubject::named("alice", {})), "user \"alice\"");
  EXPECT_EQ(describe_subject(SessionSubject::named("a\"b\n", {}, 4294967294u)), "user \"a\\\"b\\x0A\" (uid 4294967294)");
  EXPECT_EQ(describe_subject(SessionSubject::anonymous_session("guest", 1002)), "anonymous session (user \"guest\", uid 1002)");
  EXPECT_EQ(describe_subject(SessionSubject::anonymous_session("guest")), "anonymous session (user \"guest\")");
  EXPECT_EQ(describe_subject(SessionSubject::anonymous_session()), "anonymous session (no user)");
  EXPECT_EQ(describe_subject(SessionSubject::anonymous_session("", 0)), "anonymous session (no user)");
}

// The session's line may take its role list from SECSTORE_ROLES: only when
// that is what the log's own escaping would give.
TEST(SummarizeSession, TheExportedRoleListServesTheLineOnlyWhereTheEncodingsAgree) {
  const std::vector<std::vector<std::string>> lists = {
      {}, {"ops"}, {"admin", "ops", "r00"}, {"a\"b"}, {"a\\b"}, {"ops,admin"}, {"a=b"}, {"50%"},
      {"cr\rhere"}, {"\x7F"}, {"caf\xC3\xA9"}, {"\xC2\x9B" "1A"}, {"\xFF"}, {"ok", "x\"y", "ok2"}};
  for (const auto& names : lists) {
    Session s;
    s.subject = SessionSubject::named("alice", {}, 1001);
    s.access.role_names = names;
    const std::string variable = roles_variable(s);
    EXPECT_EQ(variable, "SECSTORE_ROLES=" + encode_role_list(names));
    EXPECT_EQ(summarize_session(s, "session opened for ", &variable), summarize_session(s, "session opened for "))
        << variable;
  }
}

}  // namespace
}  // namespace secstore::module
