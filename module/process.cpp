#include "process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "secstore/capabilities.hpp"
#include "secstore/file.hpp"
#include "secstore/unique_fd.hpp"

namespace secstore::module {
namespace {

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

constexpr CapabilityMask bit(unsigned cap) { return CapabilityMask{1} << cap; }

template <class Visit>
void for_each_bit(CapabilityMask mask, Visit visit) {
  for (; mask != 0; mask &= mask - 1) visit(static_cast<unsigned>(__builtin_ctzll(mask)));
}

Failure system_failure(const std::string& what, int err) {
  return Failure{FailureKind::System, what + ": " + std::strerror(err), {}};
}

// The calling thread's effective, permitted and inheritable sets.
struct ProcessSets {
  CapabilityMask effective = 0;
  CapabilityMask permitted = 0;
  CapabilityMask inheritable = 0;
};

// Read with one capget(2), as cap_get_proc does, rather than through a
// cap_t and a cap_get_flag call per capability and set: an open reads the
// sets before it changes anything, and each read costs it ~40 calls.
std::optional<ProcessSets> read_sets() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (capget(&header, data) != 0) return std::nullopt;
  auto mask = [&](__u32 __user_cap_data_struct::*set) {
    return CapabilityMask{data[0].*set} | CapabilityMask{data[1].*set} << 32;
  };
  return ProcessSets{mask(&__user_cap_data_struct::effective), mask(&__user_cap_data_struct::permitted),
                     mask(&__user_cap_data_struct::inheritable)};
}

// Sets one flag of `caps` to exactly `mask` over the first `count`
// capabilities: cleared, then the mask's bits raised in one call.
bool set_flag_mask(cap_t caps, cap_flag_t which, CapabilityMask mask, unsigned count) {
  if (cap_clear_flag(caps, which) != 0) return false;
  cap_value_t values[64];
  int n = 0;
  for_each_bit(mask & capability_mask_of_count(count), [&](unsigned cap) { values[n++] = static_cast<cap_value_t>(cap); });
  // At most 32 a call: libcap 2.66 refuses 64 values in one (a kernel with
  // 64 capabilities and a grant of all of them).
  for (int first = 0; first < n; first += 32)
    if (cap_set_flag(caps, which, std::min(32, n - first), values + first, CAP_SET) != 0) return false;
  return true;
}

// The inheritable set made `target` (permitted and effective unchanged).
// Written through libcap, which knows how to set every thread when the
// program asks it to.
bool set_inheritable(CapabilityMask target, unsigned count) {
  CapState caps(cap_get_proc());
  return caps && set_flag_mask(caps.get(), CAP_INHERITABLE, target, count) && cap_set_proc(caps.get()) == 0;
}

// What an open changed, for the cleanup to end or undo.
struct SessionChanges {
  unsigned count = 0;                // the kernel's capabilities
  CapabilityMask inheritable_before = 0;
  CapabilityMask ambient_before = 0;  // of the capabilities the open cleared from inheritable
  CapabilityMask inheritable_after = 0;
  CapabilityMask ambient_grant = 0;   // raised in the cooperating child (0 with nokeepcaps)
  int keepcaps_before = 0;
  bool keepcaps_set = false;
  UniqueFd old_root;  // the root and working directory before the chroot
  UniqueFd old_cwd;
  bool chrooted = false;
};

void leave_root(const SessionChanges& c) {
  if (!c.chrooted) return;
  if (::fchdir(c.old_root.get()) == 0 && ::chroot(".") == 0) {
    // The old working directory went away: "/" is still inside the old root.
    if (::fchdir(c.old_cwd.get()) != 0 && ::chdir("/") != 0) return;
  }
}

// Puts back what the open changed (best effort: the application may have
// given up privileges since, and then nothing it lacks can come back).
void undo(const SessionChanges& c) {
  leave_root(c);
  set_inheritable(c.inheritable_before, c.count);
  for_each_bit(c.ambient_before, [](unsigned cap) { cap_set_ambient(static_cast<cap_value_t>(cap), CAP_SET); });
  if (c.keepcaps_set) prctl(PR_SET_KEEPCAPS, c.keepcaps_before, 0, 0, 0);
}

// In the cooperating child: the shell's sets become the grant, no more.
void finish_in_child(pam_handle_t* pamh, const SessionChanges& c) {
  std::string failed;
  if (c.ambient_grant != 0) {
    // After the login program's setuid, permitted still holds root's whole
    // set (KEEPCAPS): keep exactly the grant. Still uid 0 (a root session,
    // or a program that ends the handle before its setuid), the program may
    // need its capabilities yet; exec makes root's sets from the bounding
    // and inheritable sets the open already fixed.
    if (::getuid() != 0) {
      CapState caps(cap_get_proc());
      if (!caps || !set_flag_mask(caps.get(), CAP_PERMITTED, c.ambient_grant, c.count) ||
          !set_flag_mask(caps.get(), CAP_EFFECTIVE, c.ambient_grant, c.count) || cap_set_proc(caps.get()) != 0)
        failed = std::string("cannot keep exactly the granted capabilities: ") + std::strerror(errno);
    }
    for_each_bit(c.ambient_grant, [&](unsigned cap) {
      if (cap_set_ambient(static_cast<cap_value_t>(cap), CAP_SET) != 0)
        failed += (failed.empty() ? "" : "; ") + std::string("cannot raise ") + capability_list(bit(cap)) +
                  " in the ambient set: " + std::strerror(errno);
    });
  }
  if (c.keepcaps_set) prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (!failed.empty()) log_line(pamh, LOG_ERR, "the session's shell does not get its capabilities: " + failed);
}

// Everything that can be checked before touching the process.
std::optional<Failure> check(const SessionPlan& plan, const ProcessSets& current, unsigned count) {
  const CapabilityMask raise = plan.caps.ambient | plan.caps.inheritable;
  const CapabilityMask known = capability_mask_of_count(count);
  if (const CapabilityMask unknown = (raise | plan.caps.bounding_drop) & ~known)
    return Failure{FailureKind::Capability, "capability " + capability_list(unknown) + " is not known to this kernel", {}};
  if (const CapabilityMask conflict = raise & plan.caps.bounding_drop)
    return Failure{FailureKind::Capability,
                   "capability " + capability_list(conflict) +
                       " is both granted and dropped from the bounding set by the configuration",
                   {}};
  // Lowest first, so that the line names the same capability as ever.
  for (CapabilityMask rest = raise; rest != 0; rest &= rest - 1) {
    const auto cap = static_cast<unsigned>(__builtin_ctzll(rest));
    if (cap_get_bound(static_cast<cap_value_t>(cap)) != 1)
      return Failure{FailureKind::Capability,
                     "capability " + capability_list(bit(cap)) +
                         " cannot be granted: it is not in this process's bounding set",
                     {}};
    if (!(current.permitted & bit(cap)))
      return Failure{FailureKind::Capability,
                     "capability " + capability_list(bit(cap)) +
                         " cannot be granted: this process does not hold it in its permitted set",
                     {}};
  }
  bool drops_something = false;
  for_each_bit(plan.caps.bounding_drop,
               [&](unsigned cap) { drops_something |= cap_get_bound(static_cast<cap_value_t>(cap)) == 1; });
  if (drops_something && !(current.effective & bit(CAP_SETPCAP)))
    return Failure{FailureKind::Capability,
                   "capabilities " + capability_list(plan.caps.bounding_drop) +
                       " cannot be dropped from the bounding set: this process lacks cap_setpcap",
                   {}};
  if (plan.chroot && !(current.effective & bit(CAP_SYS_CHROOT)))
    return Failure{FailureKind::Capability,
                   "cannot enter chroot directory " + *plan.chroot + ": this process lacks cap_sys_chroot", {}};
  return std::nullopt;
}

}  // namespace

void session_data_cleanup(pam_handle_t* pamh, void* data, int error_status) {
  std::unique_ptr<SessionChanges> changes(static_cast<SessionChanges*>(data));
  if (!changes) return;
  // Nothing may leave this function by exception: libpam calls it from C.
  try {
    if (error_status & PAM_DATA_REPLACE) return;  // withdrawn by a failed open, which undid itself
    if (error_status & PAM_DATA_SILENT)
      finish_in_child(pamh, *changes);
    else
      undo(*changes);
  } catch (...) {
  }
}

std::optional<Failure> SystemProcess::apply_session_plan(pam_handle_t* pamh, const SessionPlan& plan,
                                                         bool keepcaps) {
  const CapabilityMask raise = plan.caps.ambient | plan.caps.inheritable;
  if (raise == 0 && plan.inheritable_clear == 0 && plan.caps.bounding_drop == 0 && !plan.chroot)
    return std::nullopt;
  const unsigned count = kernel_capability_count();
  const std::optional<ProcessSets> current = read_sets();
  if (!current) return system_failure("cannot read this process's capabilities", errno);
  if (auto failure = check(plan, *current, count)) return failure;
  std::optional<OpenedFile> root;
  if (plan.chroot) {
    auto opened = open_checked_directory(*plan.chroot, FileSafety{true});
    if (!opened.ok())
      return Failure{FailureKind::Config, "chroot directory " + opened.first_error()->str(), {}};
    root.emplace(std::move(*opened.value));
  }

  auto changes = std::unique_ptr<SessionChanges>(new (std::nothrow) SessionChanges{});
  if (!changes) return Failure{FailureKind::System, "out of memory recording the session's changes", {}};
  SessionChanges& c = *changes;
  c.count = count;
  c.inheritable_before = current->inheritable & capability_mask_of_count(count);
  for_each_bit(c.inheritable_before & plan.inheritable_clear, [&](unsigned cap) {
    if (cap_get_ambient(static_cast<cap_value_t>(cap)) == 1) c.ambient_before |= bit(cap);
  });
  c.inheritable_after = (c.inheritable_before | raise) & ~plan.inheritable_clear;
  c.ambient_grant = keepcaps ? plan.caps.ambient : 0;
  c.keepcaps_before = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
  if (c.keepcaps_before < 0) return system_failure("cannot read this process's keep-capabilities flag", errno);

  auto give_up = [&](Failure why) {
    undo(c);
    return why;
  };
  if (c.inheritable_after != c.inheritable_before && !set_inheritable(c.inheritable_after, count))
    return give_up(system_failure("cannot set the inheritable set to " + capability_list(c.inheritable_after), errno));
  if (c.ambient_grant != 0) {
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return give_up(system_failure("cannot set PR_SET_KEEPCAPS", errno));
    c.keepcaps_set = true;
  }
  if (root) {
    c.old_root.reset(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    c.old_cwd.reset(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!c.old_root || !c.old_cwd) return give_up(system_failure("cannot hold the current root directory", errno));
    if (::fchdir(root->fd.get()) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0) {
      const int err = errno;
      c.chrooted = true;  // whatever part of it happened is undone
      return give_up(system_failure("cannot chroot to " + *plan.chroot, err));
    }
    c.chrooted = true;
  }
  const int rc = pam_set_data(pamh, kSessionDataName, changes.get(), session_data_cleanup);
  if (rc != PAM_SUCCESS)
    return give_up(Failure{FailureKind::System,
                           std::string("cannot register the session's changes: ") + pam_strerror(pamh, rc), {}});
  SessionChanges* registered = changes.release();  // libpam owns it now
  for (CapabilityMask rest = plan.caps.bounding_drop & capability_mask_of_count(count); rest != 0; rest &= rest - 1) {
    const auto cap = static_cast<unsigned>(__builtin_ctzll(rest));
    if (cap_get_bound(static_cast<cap_value_t>(cap)) != 1) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0) {
      const int err = errno;
      undo(*registered);
      pam_set_data(pamh, kSessionDataName, nullptr, nullptr);  // frees it (PAM_DATA_REPLACE)
      return system_failure("cannot drop " + capability_list(bit(cap)) +
                                " from the bounding set (earlier drops stay: the bounding set cannot be restored)",
                            err);
    }
  }
  return std::nullopt;
}

std::optional<Failure> SystemProcess::add_supplementary_groups(const std::vector<gid_t>& gids) {
  if (gids.empty()) return std::nullopt;
  int count = ::getgroups(0, nullptr);
  if (count < 0) return system_failure("cannot read this process's groups", errno);
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  count = ::getgroups(count, groups.data());
  if (count < 0) return system_failure("cannot read this process's groups", errno);
  groups.resize(static_cast<std::size_t>(count));
  for (gid_t gid : gids)
    if (std::find(groups.begin(), groups.end(), gid) == groups.end()) groups.push_back(gid);
  if (::setgroups(groups.size(), groups.data()) != 0)
    return system_failure("cannot set this process's supplementary groups", errno);
  return std::nullopt;
}

}  // namespace secstore::module
