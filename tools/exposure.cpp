#include "exposure.hpp"

#include <algorithm>
#include <iterator>

#include "secstore/capabilities.hpp"

namespace secstore::cli {
namespace {

using enum Exposure;

// The reasoning of secstore(1), EXPOSURE: a capability is near-root when a
// program holding it has a well-known way to become root or to change the
// kernel; high when it can take over the host's network, security policy or
// every file's secrets without that; medium when it can spy on or disrupt
// other users and services; low when it only widens what the user can do to
// itself or to the resources it already has.
constexpr CapabilityRisk kRisks[] = {
    {"cap_chown", NearRoot, "take ownership of any file (/etc/shadow, /etc/sudoers), then rewrite it"},
    {"cap_dac_override", NearRoot, "read and write every file whatever its mode: /etc/shadow, /etc/sudoers, root's crontab"},
    {"cap_dac_read_search", High, "read every file and directory (password hashes, private keys) and open files by handle"},
    {"cap_fowner", NearRoot, "change the mode of any file it does not own (make /etc/passwd writable, set-user-ID bits)"},
    {"cap_fsetid", Medium, "keep set-user-ID and set-group-ID bits on files it changes, set-group-ID for any group"},
    {"cap_kill", Medium, "signal every process, root's included: stop sshd, a database or the audit daemon"},
    {"cap_setgid", NearRoot, "become any group (shadow, disk: the raw block devices) and forge group lists"},
    {"cap_setuid", NearRoot, "become any user, root included (setuid(0))"},
    {"cap_setpcap", High, "raise any bounding-set capability into its inheritable set, for programs with file-inheritable capabilities"},
    {"cap_linux_immutable", Medium, "set and clear the immutable and append-only flags (rewrite append-only logs)"},
    {"cap_net_bind_service", Low, "bind TCP and UDP ports below 1024"},
    {"cap_net_broadcast", Low, "broadcast and listen to multicast"},
    {"cap_net_admin", High, "reconfigure interfaces, routes and the firewall: intercept or redirect the host's traffic"},
    {"cap_net_raw", Medium, "raw and packet sockets: capture and forge traffic on the host's interfaces"},
    {"cap_ipc_lock", Low, "lock memory beyond its limit (memory pressure on the host)"},
    {"cap_ipc_owner", Medium, "read and write every System V shared memory segment, semaphore and queue, root's included"},
    {"cap_sys_module", NearRoot, "load and unload kernel modules: run its own code in the kernel"},
    {"cap_sys_rawio", NearRoot, "raw I/O ports, /dev/mem and raw device commands: change the kernel or the disk under it"},
    {"cap_sys_chroot", Medium, "chroot: run a set-user-ID program it can hard-link under a library of its own"},
    {"cap_sys_ptrace", NearRoot, "trace and inject code into every process, root's included"},
    {"cap_sys_pacct", Low, "switch process accounting on and off"},
    {"cap_sys_admin", NearRoot, "mount file systems, enter namespaces and pass the kernel's other admin checks: root in all but name"},
    {"cap_sys_boot", NearRoot, "reboot the host, and kexec a kernel of its own choosing"},
    {"cap_sys_nice", Low, "raise its priority and change the scheduling of other processes"},
    {"cap_sys_resource", Low, "exceed resource limits, quotas and the disk space reserved for root"},
    {"cap_sys_time", Medium, "set the clock: break certificate and ticket lifetimes and the order of logs"},
    {"cap_sys_tty_config", Low, "hang up and configure terminals"},
    {"cap_mknod", High, "create device nodes: its own node for the root disk on any file system mounted without nodev"},
    {"cap_lease", Low, "take leases on files it does not own"},
    {"cap_audit_write", Low, "write records to the kernel audit log"},
    {"cap_audit_control", Medium, "change the audit rules and switch auditing off: hide what is done"},
    {"cap_setfcap", NearRoot, "set file capabilities: give a program it can write cap_setuid or any other"},
    {"cap_mac_override", High, "override the mandatory access control policy (AppArmor, SELinux, Smack)"},
    {"cap_mac_admin", High, "change the mandatory access control policy"},
    {"cap_syslog", Medium, "read and clear the kernel log, with kernel addresses"},
    {"cap_wake_alarm", Low, "set alarms that wake the host from suspend"},
    {"cap_block_suspend", Low, "keep the host from suspending"},
    {"cap_audit_read", Low, "read the kernel audit log as it is written"},
    {"cap_perfmon", Medium, "performance monitoring of other processes and of the kernel"},
    {"cap_bpf", High, "load BPF programs and maps (with cap_perfmon or cap_net_admin: trace the kernel, rewrite packets)"},
    {"cap_checkpoint_restore", Medium, "choose process ids and read the memory maps of processes it can trace"},
};

// Only programs whose file lists the capability as inheritable get an
// inheritable-only one: a level lower, and never below low.
Exposure discounted(Exposure level) {
  return level <= Low ? level : static_cast<Exposure>(static_cast<int>(level) - 1);
}

}  // namespace

std::string_view exposure_name(Exposure level) {
  switch (level) {
    case None: return "none";
    case Low: return "low";
    case Medium: return "medium";
    case High: return "high";
    case NearRoot: return "near-root";
    case Root: break;
  }
  return "root";
}

int exposure_score(Exposure level) {
  switch (level) {
    case None: return 0;
    case Low: return 1;
    case Medium: return 4;
    case High: return 7;
    case NearRoot: return 9;
    case Root: break;
  }
  return 10;
}

std::span<const CapabilityRisk> capability_risks() { return kRisks; }

CapabilityRisk risk_of(unsigned capability) {
  if (capability < std::size(kRisks)) return kRisks[capability];
  return {"", High, "a capability this version of secstore does not rate: treated as high"};
}

ExposureRating rate_session(const Session& session) {
  ExposureRating out;
  const SessionPlan& plan = session.plan;
  const bool root = session.subject.is_root();
  if (root && !plan.root_exclusive) {
    out.level = Root;
    out.summary = "uid 0, not confined: every capability";
    return out;
  }
  const CapabilityMask granted = plan.caps.ambient | plan.caps.inheritable;
  for (unsigned cap = 0; cap < 64; ++cap) {
    const CapabilityMask bit = CapabilityMask{1} << cap;
    if (!(granted & bit)) continue;
    const CapabilityRisk risk = risk_of(cap);
    // uid 0 gets back at exec every capability left in its bounding set.
    const bool ambient = root || (plan.caps.ambient & bit) != 0;
    out.capabilities.push_back(RatedCapability{cap, ambient, ambient ? risk.level : discounted(risk.level), risk.reason});
  }
  std::stable_sort(out.capabilities.begin(), out.capabilities.end(),
                   [](const RatedCapability& a, const RatedCapability& b) { return a.level > b.level; });
  if (!out.capabilities.empty()) out.level = out.capabilities.front().level;
  if (root) out.summary = "uid 0, confined to these capabilities";
  return out;
}

}  // namespace secstore::cli
