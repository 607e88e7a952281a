// What a session changes in the login program's process (SPEC §4.4) and how
// each change is taken back. An interface, so the hooks can be tested
// without changing the test runner's own capabilities; SystemProcess is the
// real thing.
//
// At open, in order, each step undoable while the process is privileged:
//   1. check everything: capabilities grantable, chroot directory safe;
//   2. the inheritable set: the grant raised (an exclusive root session:
//      everything else cleared);
//   3. PR_SET_KEEPCAPS, when an ambient grant must survive the login
//      program's setuid (not with `nokeepcaps`);
//   4. the chroot, entered through a descriptor of the old root kept open;
//   5. PAM data whose cleanup ends what 2-4 began (below);
//   6. the bounding-set drops: irreversible, so last; step 1 checked
//      CAP_SETPCAP, so the kernel has no reason left to refuse.
//
// The cleanup runs when the application ends the PAM handle:
//   - in a cooperating login program's child, after its setuid, pam_end
//     with PAM_DATA_SILENT: permitted and effective become exactly the
//     ambient grant, the ambient set is raised, KEEPCAPS goes off, and the
//     old root's descriptor is closed (util-linux su, runuser, login;
//     systemd's session watcher);
//   - anywhere else (pam_end in the parent, or after a later module failed
//     the open): KEEPCAPS, the inheritable and ambient sets and the root
//     directory are put back as they were before the open.
// A program that execs the shell without ending the handle (sshd) leaves
// KEEPCAPS on until that exec, which clears it; `nokeepcaps` avoids even
// that window.
#pragma once

#include <security/pam_modules.h>
#include <sys/types.h>

#include <optional>
#include <vector>

#include "secstore/session.hpp"
#include "support.hpp"

namespace secstore::module {

inline constexpr const char* kSessionDataName = "pam_secstore_session";

class ProcessChanges {
 public:
  virtual ~ProcessChanges() = default;
  // The plan's capabilities and chroot, all or nothing (SPEC §4.5).
  virtual std::optional<Failure> apply_session_plan(pam_handle_t* pamh, const SessionPlan& plan,
                                                    bool keepcaps) = 0;
  // Adds the groups to this process's supplementary groups (setcred).
  virtual std::optional<Failure> add_supplementary_groups(const std::vector<gid_t>& gids) = 0;
};

class SystemProcess final : public ProcessChanges {
 public:
  std::optional<Failure> apply_session_plan(pam_handle_t* pamh, const SessionPlan& plan, bool keepcaps) override;
  std::optional<Failure> add_supplementary_groups(const std::vector<gid_t>& gids) override;
};

// The PAM data cleanup; exposed for the unit tests.
void session_data_cleanup(pam_handle_t* pamh, void* data, int error_status);

}  // namespace secstore::module
