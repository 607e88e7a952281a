// The real capability, chroot and group changes (module/process.cpp), each
// run in a forked child so the test runner keeps its own privileges. The
// child reports its state as text; the parent asserts on it. What a login
// program does around them (pam_end in the child or the parent) is played
// with the seam's end().
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "needs_root.hpp"
#include "../../module/process.hpp"
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

constexpr CapabilityMask bit(int cap) { return CapabilityMask{1} << cap; }

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

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
  return state.substr(at, state.find_first_of(" \n", at) - at);
}

CapabilityMask hex(const std::string& text) { return std::stoull(text, nullptr, 16); }

bool in_bounding(int cap) { return cap_get_bound(cap) == 1; }

// A plan as the planner makes it for an exclusive root session.
SessionPlan root_plan(CapabilityMask ambient) {
  SessionPlan plan;
  plan.caps.ambient = plan.caps.inheritable = ambient;
  plan.root_exclusive = true;
  const CapabilityMask all = capability_mask_of_count(kernel_capability_count());
  plan.caps.bounding_drop = plan.inheritable_clear = all & ~ambient;
  return plan;
}

class ProcessChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("it changes capabilities and chroots");
  }
};

TEST_F(ProcessChangesTest, InTheCooperatingChildTheShellGetsExactlyTheGrant) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    SystemProcess process;
    if (auto failure = process.apply_session_plan(pam.handle(), plan, true)) return "failed: " + failure->message;
    std::string out = "open: " + capability_state() + " data=" + std::to_string(pam.data.count(kSessionDataName)) + "\n";
    // What util-linux su does in its child: setuid, then pam_end(...SILENT).
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) return std::string("setuid failed");
    out += "setuid: " + capability_state() + "\n";
    pam.end(PAM_SUCCESS | PAM_DATA_SILENT);
    out += "child: " + capability_state() + "\n";
    return out;
  });
  ASSERT_EQ(child.exit_status, 0);
  std::istringstream lines(child.report);
  std::string open, after_setuid, after;
  std::getline(lines, open);
  std::getline(lines, after_setuid);
  std::getline(lines, after);
  ASSERT_EQ(open.rfind("open: ", 0), 0u) << child.report;
  EXPECT_EQ(hex(field(open, "CapInh")), bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(hex(field(open, "CapAmb")), 0u) << "ambient waits for the login program's child";
  EXPECT_EQ(hex(field(open, "CapBnd")) & bit(CAP_SYS_MODULE), 0u);
  EXPECT_EQ(field(open, "keep"), "1");
  EXPECT_EQ(field(open, "data"), "1");
  EXPECT_NE(hex(field(after_setuid, "CapPrm")), bit(CAP_NET_BIND_SERVICE)) << "KEEPCAPS kept root's set";
  // SPEC §4.4: after the cleanup, permitted, effective and ambient are the
  // grant, and KEEPCAPS is off.
  EXPECT_EQ(hex(field(after, "CapPrm")), bit(CAP_NET_BIND_SERVICE)) << after;
  EXPECT_EQ(hex(field(after, "CapEff")), bit(CAP_NET_BIND_SERVICE)) << after;
  EXPECT_EQ(hex(field(after, "CapAmb")), bit(CAP_NET_BIND_SERVICE)) << after;
  EXPECT_EQ(field(after, "keep"), "0");
}

TEST_F(ProcessChangesTest, EndingTheHandleInTheParentPutsEverythingBack) {
  TempTree tree;
  std::string jail = tree.mkdir("jail");
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE);
    plan.chroot = jail;
    const std::string before = capability_state();
    SystemProcess process;
    if (auto failure = process.apply_session_plan(pam.handle(), plan, true)) return failure->message;
    const bool jailed = ::access(jail.c_str(), F_OK) != 0;
    pam.end(PAM_SUCCESS);  // the login program's parent, or after a later module failed
    const bool back = ::access(jail.c_str(), F_OK) == 0;
    return std::string(jailed ? "jailed" : "not jailed") + " " + (back ? "back" : "still jailed") + "\n" +
           (before == capability_state() ? "unchanged" : "changed: " + before + " -> " + capability_state());
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "jailed back\nunchanged");
}

TEST_F(ProcessChangesTest, AfterTheParentEndsTheHandleASetuidKeepsNothing) {
  // The attack of SPEC §4.4: a program ends the handle normally, then
  // changes to the user and keeps running.
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE);
    SystemProcess process;
    if (auto failure = process.apply_session_plan(pam.handle(), plan, true)) return failure->message;
    pam.end(PAM_SUCCESS);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) return std::string("setuid failed");
    const bool shadow = ::open("/etc/shadow", O_RDONLY) >= 0;
    const bool back_to_root = ::setresuid(0, 0, 0) == 0;
    return capability_state() + (shadow ? " shadow=read" : " shadow=refused") +
           (back_to_root ? " setresuid=ok" : " setresuid=refused");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(hex(field(child.report, "CapPrm")), 0u) << child.report;
  EXPECT_EQ(hex(field(child.report, "CapEff")), 0u) << child.report;
  EXPECT_THAT(child.report, HasSubstr("shadow=refused setresuid=refused"));
}

TEST_F(ProcessChangesTest, NokeepcapsNeverSetsKeepcaps) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE);
    SystemProcess process;
    if (auto failure = process.apply_session_plan(pam.handle(), plan, false)) return failure->message;
    std::string out = "open: " + capability_state() + "\n";
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) return std::string("setuid failed");
    out += "setuid: " + capability_state() + "\n";
    pam.end(PAM_SUCCESS | PAM_DATA_SILENT);
    return out + "child: " + capability_state();
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(field(child.report, "keep"), "0") << child.report;
  const auto setuid_at = child.report.find("setuid: ");
  EXPECT_EQ(hex(field(child.report.substr(setuid_at), "CapPrm")), 0u) << child.report;
  const auto child_at = child.report.find("child: ");
  EXPECT_EQ(hex(field(child.report.substr(child_at), "CapAmb")), 0u);
  EXPECT_EQ(hex(field(child.report.substr(child_at), "CapInh")), bit(CAP_NET_BIND_SERVICE));
}

TEST_F(ProcessChangesTest, AConfinedRootLosesWhatItInherited) {
  // SPEC §3/§4.4: a root session under inherited capabilities (capsh --inh,
  // or `su -` from a user granted some) keeps only the listed ones.
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    CapState caps(cap_get_proc());
    const cap_value_t inherited[] = {CAP_SYS_ADMIN, CAP_SYS_PTRACE};
    if (cap_set_flag(caps.get(), CAP_INHERITABLE, 2, inherited, CAP_SET) != 0 || cap_set_proc(caps.get()) != 0)
      return std::string("cannot prepare the inherited set");
    SystemProcess process;
    if (auto failure = process.apply_session_plan(pam.handle(), root_plan(bit(CAP_NET_BIND_SERVICE)), true))
      return failure->message;
    return capability_state();
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(hex(field(child.report, "CapInh")), bit(CAP_NET_BIND_SERVICE)) << child.report;
  EXPECT_EQ(hex(field(child.report, "CapBnd")), bit(CAP_NET_BIND_SERVICE)) << child.report;
}

TEST_F(ProcessChangesTest, AnUngrantableCapabilityChangesNothing) {
  if (in_bounding(CAP_SYS_RESOURCE)) GTEST_SKIP() << "cap_sys_resource is in this bounding set";
  TempTree tree;
  std::string jail = tree.mkdir("jail");
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE) | bit(CAP_SYS_RESOURCE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    plan.chroot = jail;
    std::string before = capability_state();
    SystemProcess process;
    auto failure = process.apply_session_plan(pam.handle(), plan, true);
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

TEST_F(ProcessChangesTest, GrantingAndDroppingOneCapabilityIsRefused) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = plan.caps.bounding_drop = bit(CAP_NET_RAW);
    auto failure = SystemProcess().apply_session_plan(pam.handle(), plan, true);
    return failure ? failure->message : "no failure";
  });
  EXPECT_EQ(child.report, "capability cap_net_raw is both granted and dropped from the bounding set by the configuration");
}

TEST_F(ProcessChangesTest, ACapabilityTheKernelDoesNotKnowIsRefused) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.inheritable = bit(63);
    auto failure = SystemProcess().apply_session_plan(pam.handle(), plan, true);
    return failure ? failure->message : "no failure";
  });
  EXPECT_THAT(child.report, HasSubstr("is not known to this kernel"));
}

TEST_F(ProcessChangesTest, WithoutPermittedCapabilitiesNothingCanBeGranted) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    CapState none(cap_init());
    if (cap_set_proc(none.get()) != 0) return std::string("cannot drop everything");
    SessionPlan plan;
    plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE);
    auto failure = SystemProcess().apply_session_plan(pam.handle(), plan, true);
    return failure ? failure->message : "no failure";
  });
  EXPECT_EQ(child.report,
            "capability cap_net_bind_service cannot be granted: this process does not hold it in its permitted set");
}

TEST_F(ProcessChangesTest, AnUnsafeChrootDirectoryChangesNothing) {
  TempTree tree;
  std::string jail = tree.mkdir("jail", 0777);
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    plan.chroot = jail;
    std::string before = capability_state();
    auto failure = SystemProcess().apply_session_plan(pam.handle(), plan, true);
    std::string after = capability_state();
    return std::string(failure ? failure->message : "no failure") + "\n" + (before == after ? "unchanged" : "changed") +
           " data=" + std::to_string(pam.data.size());
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "chroot directory " + jail +
                              ": error: refusing an unsafe directory: it is writable by others (mode 0777)\nunchanged data=0");
}

TEST_F(ProcessChangesTest, AMissingOrForeignChrootDirectoryIsRefused) {
  TempTree tree;
  std::string file = tree.write("plain", "x");
  std::string theirs = tree.mkdir("theirs");
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  auto refusal = [](const std::string& dir) {
    auto child = run_in_child([&] {
      NiceMock<PamSeam> pam;
      SessionPlan plan;
      plan.chroot = dir;
      auto failure = SystemProcess().apply_session_plan(pam.handle(), plan, true);
      return failure ? failure->message : std::string("accepted");
    });
    return child.report;
  };
  EXPECT_EQ(refusal(tree.path("absent")),
            "chroot directory " + tree.path("absent") + ": error: cannot open the directory: No such file or directory");
  EXPECT_EQ(refusal(file), "chroot directory " + file + ": error: expected a directory, found a regular file");
  EXPECT_EQ(refusal(theirs),
            "chroot directory " + theirs + ": error: refusing an unsafe directory: it is owned by uid 65534, not by root");
}

TEST_F(ProcessChangesTest, TheSessionRootBecomesSlash) {
  TempTree tree;
  std::string jail = tree.mkdir("jail");
  tree.write("jail/marker", "inside");
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    SessionPlan plan;
    plan.chroot = jail;
    if (auto failure = SystemProcess().apply_session_plan(pam.handle(), plan, true)) return failure->message;
    std::ifstream marker("/marker");
    std::string text;
    std::getline(marker, text);
    char cwd[256] = "";
    return text + " cwd=" + (::getcwd(cwd, sizeof cwd) ? cwd : "?");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "inside cwd=/");
}

TEST_F(ProcessChangesTest, AFailureAfterTheFirstStepPutsEverythingBack) {
  TempTree tree;
  std::string jail = tree.mkdir("jail");
  auto child = run_in_child([&] {
    NiceMock<PamSeam> pam;
    // libpam cannot keep the session's changes: the step before the
    // bounding drops fails.
    EXPECT_CALL(pam, set_data(_, _, _)).WillRepeatedly(Return(PAM_BUF_ERR));
    SessionPlan plan;
    plan.caps.ambient = plan.caps.inheritable = bit(CAP_NET_BIND_SERVICE);
    plan.caps.bounding_drop = bit(CAP_SYS_MODULE);
    plan.chroot = jail;
    std::string before = capability_state();
    auto failure = SystemProcess().apply_session_plan(pam.handle(), plan, true);
    std::string after = capability_state();
    bool same_root = ::access(jail.c_str(), F_OK) == 0;
    return std::string(failure ? failure->message : "no failure") + "\n" +
           (before == after ? "unchanged" : "changed: " + before + " -> " + after) + (same_root ? " root=same" : " root=moved");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "cannot register the session's changes: Memory buffer error\nunchanged root=same");
}

TEST_F(ProcessChangesTest, SupplementaryGroupsAreAddedToTheExistingOnes) {
  auto child = run_in_child([] {
    gid_t start[] = {4242};
    if (::setgroups(1, start) != 0) return std::string("setgroups failed");
    if (auto failure = SystemProcess().add_supplementary_groups({4343, 4242})) return failure->message;
    gid_t now[16];
    int n = ::getgroups(16, now);
    std::string out;
    for (int i = 0; i < n; ++i) out += std::to_string(now[i]) + " ";
    return out;
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "4242 4343 ");
}

TEST(SessionData, ReplacingTheDataNeverTouchesTheProcess) {
  auto child = run_in_child([] {
    NiceMock<PamSeam> pam;
    const std::string before = capability_state();
    // What a failed open does to the data it registered: replace it.
    session_data_cleanup(pam.handle(), nullptr, PAM_DATA_REPLACE);
    return before == capability_state() ? std::string("unchanged") : std::string("changed");
  });
  ASSERT_EQ(child.exit_status, 0);
  EXPECT_EQ(child.report, "unchanged");
}

}  // namespace
}  // namespace secstore::module
