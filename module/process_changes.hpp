// What a session changes in the login program's process. An interface so the
// module's logic can be tested without changing the test runner's own
// capabilities; SystemProcessChanges is the real thing.
#pragma once

#include <security/pam_modules.h>
#include <sys/types.h>

#include <optional>
#include <vector>

#include "failure.hpp"
#include "secstore/conf.hpp"

namespace secstore::module {

class ProcessChanges {
 public:
  virtual ~ProcessChanges() = default;
  // Capabilities and chroot of a session plan, all or nothing (SPEC §4.5).
  virtual std::optional<Failure> apply_session_plan(pam_handle_t* pamh, const SessionPlan& plan) = 0;
  // Adds the groups to this process's supplementary groups (setcred).
  virtual std::optional<Failure> add_supplementary_groups(const std::vector<gid_t>& gids) = 0;
};

class SystemProcessChanges final : public ProcessChanges {
 public:
  std::optional<Failure> apply_session_plan(pam_handle_t* pamh, const SessionPlan& plan) override;
  std::optional<Failure> add_supplementary_groups(const std::vector<gid_t>& gids) override;
};

}  // namespace secstore::module
