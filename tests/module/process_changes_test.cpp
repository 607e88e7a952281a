// The real capability, chroot and group changes, each run in a forked child
// so the test runner keeps its own privileges. The child reports its state
// as text; the parent asserts on it.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "needs_root.hpp"
#include "../../module/capability_apply.hpp"
#include "../../module/deferred_ambient.hpp"
#include "../../module/process_changes.hpp"
#include "../../module/session_root.hpp"
#include "child_process.hpp"
#include "pam_seam.hpp"
#include "temp_tree.hpp"

namespace secstore::module {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::NiceMock;
using ::testing::Return;
using test::PamSeam;
using test::run_in_child;
using test::TempTree;

constexpr CapMask bit(int cap) { return CapMask{1} << cap; }

// "CapInh=... CapPrm=... CapEff=... CapBnd=... CapAmb=... keep=N" from
// /proc/self/status and prctl: what a user would look at.
std::string capability_state() {
  std::ifstream status("/proc/self/status");
  std::string line, out;
  while (std::getline(status, line))
    if (line.rfind("Cap", 0) == 0) {
      auto tab = line.find(":\t");
      out += line.substr(0, tab) + "=" + line.substr(tab + 2) + " ";
    }
  out += "keep=" + std::to_string(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
  return out;
}

std::string field(const std::string& state, const std::string& name) {
  auto at = state.find(name + "=");
  if (at == std::string::npos) return "";
  at += name.size() + 1;
  return state.substr(at, state.find(' ', at) - at);
}

CapMask hex(const std::string& text) { return std::stoull(text, nullptr, 16); }

bool in_bounding(int cap) { return cap_get_bound(cap) == 1; }

class ProcessChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("it changes capabilities and the root directory");
  }
};

TEST(CapabilityChange, AmbientCapabilitiesAreRaisedInheritableNowAndAmbientLater) {
  SessionPlan plan;
  plan.caps.ambient = bit(CAP_NET_BIND_SERVICE);
  plan.caps.inheritable = bit(CAP_NET_RAW);
  plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
  CapabilityChange change = capability_change_for(plan, all_capabilities_mask());
  EXPECT_EQ(change.inheritable_raise, bit(CAP_NET_BIND_SERVICE) | bit(CAP_NET_RAW));
  EXPECT_EQ(change.ambient_defer, bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(change.bounding_drop, bit(CAP_SYS_MODULE));
}

TEST(CapabilityChange, ARootExclusivePlanDropsEverythingItDoesNotKeep) {
  SessionPlan plan;
  plan.caps.ambient = bit(CAP_NET_BIND_SERVICE);
  plan.root_exclusive = true;
  CapMask all = all_capabilities_mask();
  CapabilityChange change = capability_change_for(plan, all);
  EXPECT_EQ(change.bounding_drop, all & ~bit(CAP_NET_BIND_SERVICE));
}

TEST(CapabilityCheck, ACapabilityOutsideTheBoundingSetCannotBeGranted) {
  if (in_bounding(CAP_SYS_RESOURCE)) GTEST_SKIP() << "cap_sys_resource is in this bounding set";
  CapState current(cap_get_proc());
  CapabilityChange change;
  change.inheritable_raise = bit(CAP_SYS_RESOURCE);
  auto failure = check_capability_change(change, current.get());
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->kind, FailureKind::Capability);
  EXPECT_EQ(failure->message,
            "capability cap_sys_resource cannot be granted: it is not in this process's bounding set");
}

TEST(CapabilityCheck, GrantingAndDroppingOneCapabilityIsRefused) {
  CapState current(cap_get_proc());
  CapabilityChange change;
  change.inheritable_raise = bit(CAP_NET_RAW);
  change.bounding_drop = bit(CAP_NET_RAW);
  auto failure = check_capability_change(change, current.get());
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->message,
            "capability cap_net_raw is both granted and dropped from the bounding set by the "
            "configuration");
}

TEST(CapabilityCheck, ACapabilityTheKernelDoesNotKnowIsRefused) {
  CapState current(cap_get_proc());
  CapabilityChange change;
  change.inheritable_raise = bit(63);
  auto failure = check_capability_change(change, current.get());
  ASSERT_TRUE(failure);
  EXPECT_THAT(failure->message, HasSubstr("is not known to this kernel"));
}

TEST(CapabilityCheck, WithoutPermittedCapabilitiesNothingCanBeGranted) {
  CapState empty(cap_init());
  CapabilityChange change;
  change.inheritable_raise = bit(CAP_NET_BIND_SERVICE);
  auto failure = check_capability_change(change, empty.get());
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->message,
            "capability cap_net_bind_service cannot be granted: this process does not hold it in "
            "its permitted set");
}

TEST_F(ProcessChangesTest, ASessionPlanIsAppliedAndAmbientIsRaisedAfterSetuid) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = bit(CAP_NET_BIND_SERVICE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    SystemProcessChanges changes;
    auto failure = changes.apply_session_plan(pam.handle(), plan);
    if (failure) return "failed: " + failure->message;
    std::string out = "open: " + capability_state() + " data=" +
                      std::to_string(pam.data.count(kAmbientDataName)) + "\n";
    // What util-linux su does in its child: setuid, then pam_end(...SILENT).
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) return std::string("setuid failed");
    pam.end(PAM_SUCCESS | PAM_DATA_SILENT);
    out += "child: " + capability_state() + "\n";
    return out;
  });
  ASSERT_EQ(child.exit_status, 0);
  std::istringstream lines(child.report);
  std::string open, after;
  std::getline(lines, open);
  std::getline(lines, after);
  ASSERT_EQ(open.rfind("open: ", 0), 0u) << child.report;
  EXPECT_EQ(hex(field(open, "CapInh")), bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(hex(field(open, "CapAmb")), 0u) << "ambient waits for the login program's child";
  EXPECT_EQ(hex(field(open, "CapBnd")) & bit(CAP_SYS_MODULE), 0u);
  EXPECT_EQ(field(open, "keep"), "1");
  EXPECT_EQ(field(open, "data"), "1");
  EXPECT_EQ(hex(field(after, "CapAmb")), bit(CAP_NET_BIND_SERVICE)) << after;
  EXPECT_EQ(field(after, "keep"), "0");
}

TEST_F(ProcessChangesTest, WithoutDataSilentTheCleanupOnlyFrees) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = bit(CAP_NET_BIND_SERVICE);
    SystemProcessChanges changes;
    if (auto failure = changes.apply_session_plan(pam.handle(), plan)) return failure->message;
    pam.end(PAM_SUCCESS);  // the login program's parent
    return capability_state();
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(hex(field(child.report, "CapAmb")), 0u) << child.report;
  EXPECT_EQ(hex(field(child.report, "CapInh")), bit(CAP_NET_BIND_SERVICE));
}

TEST_F(ProcessChangesTest, AnUngrantableCapabilityChangesNothing) {
  if (in_bounding(CAP_SYS_RESOURCE)) GTEST_SKIP() << "cap_sys_resource is in this bounding set";
  TempTree tree;
  std::string jail = tree.mkdir("jail");
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = bit(CAP_NET_BIND_SERVICE) | bit(CAP_SYS_RESOURCE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    plan.chroot = jail;
    std::string before = capability_state();
    SystemProcessChanges changes;
    auto failure = changes.apply_session_plan(pam.handle(), plan);
    std::string after = capability_state();
    bool same_root = ::access(jail.c_str(), F_OK) == 0;
    return std::string(failure ? failure->message : "no failure") + "\n" +
           (before == after ? "unchanged" : "changed: " + before + " -> " + after) + "\n" +
           "data=" + std::to_string(pam.data.size()) + " root=" + (same_root ? "same" : "moved");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report,
            "capability cap_sys_resource cannot be granted: it is not in this process's bounding set\n"
            "unchanged\n"
            "data=0 root=same");
}

TEST_F(ProcessChangesTest, AnUnsafeChrootDirectoryChangesNothing) {
  TempTree tree;
  std::string jail = tree.mkdir("jail", 0777);
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = bit(CAP_NET_BIND_SERVICE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    plan.chroot = jail;
    std::string before = capability_state();
    SystemProcessChanges changes;
    auto failure = changes.apply_session_plan(pam.handle(), plan);
    std::string after = capability_state();
    return std::string(failure ? failure->message : "no failure") + "\n" +
           (before == after ? "unchanged" : "changed") + " data=" + std::to_string(pam.data.size());
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "chroot directory \"" + jail +
                              "\" is writable by group or others (mode 0777)\nunchanged data=0");
}

TEST_F(ProcessChangesTest, AMissingOrForeignChrootDirectoryIsRefused) {
  TempTree tree;
  std::string file = tree.write("plain", "x");
  std::string theirs = tree.mkdir("theirs");
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  auto open_checked = [](const std::string& dir) {
    auto result = SessionRoot::open_checked(dir);
    auto* failure = std::get_if<Failure>(&result);
    return failure ? failure->message : std::string("accepted");
  };
  EXPECT_EQ(open_checked(tree.path("absent")),
            "chroot directory \"" + tree.path("absent") + "\" cannot be opened: No such file or directory");
  EXPECT_EQ(open_checked(file), "chroot directory \"" + file + "\" is not a directory");
  EXPECT_EQ(open_checked(theirs), "chroot directory \"" + theirs + "\" is owned by uid 65534, not by root");
  EXPECT_EQ(open_checked("jail"), "chroot directory \"jail\" is not an absolute path");
}

TEST_F(ProcessChangesTest, TheSessionRootBecomesSlash) {
  TempTree tree;
  std::string jail = tree.mkdir("jail");
  tree.write("jail/marker", "inside");
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.chroot = jail;
    SystemProcessChanges changes;
    if (auto failure = changes.apply_session_plan(pam.handle(), plan)) return failure->message;
    std::ifstream marker("/marker");
    std::string text;
    std::getline(marker, text);
    char cwd[256] = "";
    return text + " cwd=" + (::getcwd(cwd, sizeof cwd) ? cwd : "?");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "inside cwd=/");
}

TEST_F(ProcessChangesTest, AFailureAfterTheFirstStepRestoresTheCapabilities) {
  TempTree tree;
  std::string jail = tree.mkdir("jail");
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    // libpam cannot store the deferred ambient set: step 3 of 5 fails.
    EXPECT_CALL(pam, set_data(_, _, _)).WillRepeatedly(Return(PAM_BUF_ERR));
    SessionPlan plan;
    plan.caps.ambient = bit(CAP_NET_BIND_SERVICE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    plan.chroot = jail;
    std::string before = capability_state();
    SystemProcessChanges changes;
    auto failure = changes.apply_session_plan(pam.handle(), plan);
    std::string after = capability_state();
    bool same_root = ::access(jail.c_str(), F_OK) == 0;
    return std::string(failure ? failure->message : "no failure") + "\n" +
           (before == after ? "unchanged" : "changed: " + before + " -> " + after) +
           (same_root ? " root=same" : " root=moved");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report,
            "cannot register the session's ambient set: Memory buffer error\nunchanged root=same");
}

TEST_F(ProcessChangesTest, SupplementaryGroupsAreAddedToTheExistingOnes) {
  auto child = run_in_child([] {
    gid_t start[] = {4242};
    if (::setgroups(1, start) != 0) return std::string("setgroups failed");
    SystemProcessChanges changes;
    if (auto failure = changes.add_supplementary_groups({4343, 4242})) return failure->message;
    gid_t now[16];
    int n = ::getgroups(16, now);
    std::string out;
    for (int i = 0; i < n; ++i) out += std::to_string(now[i]) + " ";
    return out;
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "4242 4343 ");
}

TEST(DeferredAmbient, ReplacingTheDataNeverTouchesTheProcess) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    if (auto failure = register_deferred_ambient(pam.handle(), bit(CAP_NET_BIND_SERVICE)))
      return failure->message;
    std::string before = capability_state();
    cancel_deferred_ambient(pam.handle());
    pam.end(PAM_SUCCESS | PAM_DATA_SILENT);  // the withdrawn data is gone
    return before == capability_state() ? std::string("unchanged") : std::string("changed");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "unchanged");
}

}  // namespace
}  // namespace secstore::module
