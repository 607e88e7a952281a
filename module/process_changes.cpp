#include "process_changes.hpp"

#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <variant>

#include "capability_apply.hpp"
#include "deferred_ambient.hpp"
#include "session_root.hpp"

namespace secstore::module {

// Order of application, chosen so that every step before the last can be
// undone while the process is still privileged:
//   1. check everything (capabilities grantable, chroot dir safe) — no change;
//   2. raise the inheritable set                  — undone by cap_set_proc(saved);
//   3. PR_SET_KEEPCAPS and the deferred ambient  — undone by restoring the flag
//      registration (PAM data)                      and replacing the data;
//   4. chroot                                     — undone through a descriptor
//                                                   of the old root;
//   5. drop from the bounding set                 — irreversible, so last. Step 1
//      checked CAP_SETPCAP, so the kernel has no reason left to refuse it.
std::optional<Failure> SystemProcessChanges::apply_session_plan(pam_handle_t* pamh,
                                                               const SessionPlan& plan) {
  const CapabilityChange change = capability_change_for(plan, all_capabilities_mask());
  if (change.empty() && !plan.chroot) return std::nullopt;

  CapState current(cap_get_proc());
  if (!current)
    return Failure{FailureKind::System,
                   std::string("cannot read this process's capabilities: ") + std::strerror(errno)};
  if (auto failure = check_capability_change(change, current.get())) return failure;
  std::optional<SessionRoot> root;
  if (plan.chroot) {
    auto opened = SessionRoot::open_checked(*plan.chroot);
    if (auto* failure = std::get_if<Failure>(&opened)) return std::move(*failure);
    root.emplace(std::move(std::get<SessionRoot>(opened)));
  }

  Failure failure{FailureKind::System, ""};
  // Only the capabilities the change raises can have their ambient state
  // disturbed (lowering inheritable clears ambient); bounding drops are
  // never undone.
  auto saved = SavedCapabilities::capture(failure, change.inheritable_raise);
  if (!saved) return failure;

  bool deferred = false;
  auto undo = [&](Failure why) {
    if (deferred) cancel_deferred_ambient(pamh);
    saved->restore();
    return why;
  };
  if (auto f = raise_inheritable(change.inheritable_raise)) return undo(std::move(*f));
  if (change.ambient_defer != 0) {
    if (auto f = set_keepcaps()) return undo(std::move(*f));
    if (auto f = register_deferred_ambient(pamh, change.ambient_defer)) return undo(std::move(*f));
    deferred = true;
  }
  if (root) {
    if (auto f = root->enter()) return undo(std::move(*f));
  }
  if (auto f = drop_bounding(change.bounding_drop)) {
    if (root) root->leave();
    return undo(std::move(*f));
  }
  return std::nullopt;
}

std::optional<Failure> SystemProcessChanges::add_supplementary_groups(const std::vector<gid_t>& gids) {
  if (gids.empty()) return std::nullopt;
  int count = ::getgroups(0, nullptr);
  if (count < 0)
    return Failure{FailureKind::System,
                   std::string("cannot read this process's groups: ") + std::strerror(errno)};
  std::vector<gid_t> groups(static_cast<size_t>(count));
  count = ::getgroups(count, groups.data());
  if (count < 0)
    return Failure{FailureKind::System,
                   std::string("cannot read this process's groups: ") + std::strerror(errno)};
  groups.resize(static_cast<size_t>(count));
  for (gid_t gid : gids)
    if (std::find(groups.begin(), groups.end(), gid) == groups.end()) groups.push_back(gid);
  if (::setgroups(groups.size(), groups.data()) != 0)
    return Failure{FailureKind::System,
                   std::string("cannot set this process's supplementary groups: ") +
                       std::strerror(errno)};
  return std::nullopt;
}

}  // namespace secstore::module
