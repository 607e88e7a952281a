// One benchmark row: a private PAM service (read through pam_start_confdir,
// never /etc/pam.d) driven in a loop inside a forked child, so that the
// capability changes one row makes cannot leak into the next.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stats.hpp"

namespace secstore::bench {

enum class PamOperation {
  OpenAndCloseSession,        // pam_open_session + pam_close_session
  EstablishAndDeleteCred,     // pam_setcred(ESTABLISH) + pam_setcred(DELETE)
  NameServiceLookup,          // no PAM call: getpwnam_r + getgrouplist for PAM_USER
  ContractFloor,              // no module: what SPEC makes any module do for this session (below)
};

// What a row must have done to the process after warm-up; a row that did not
// grant the capability would be timing a no-op, so it is reported as broken.
enum class GrantCheck { None, InheritableRaised };

struct PamRow {
  std::string name;          // also the service name: CONFDIR/NAME
  std::string service_text;  // the private pam.d file
  PamOperation operation = PamOperation::OpenAndCloseSession;
  GrantCheck grant_check = GrantCheck::None;
  // When set, one open after warm-up must export exactly this
  // SECSTORE_ROLES (SPEC §4.6): proof that the store was read and the
  // session resolved, not just that some scope matched.
  std::string expected_roles;
  // When set, the child first unshares its mount namespace and bind-mounts
  // this file over /etc/nsswitch.conf (private to the child; the host's file
  // is untouched), to show how much of a login is the name service.
  std::string nsswitch_override;
  // ContractFloor: the names the conf's `group =` selectors give, and the
  // session's roles and grant as the module's log line words them.
  std::vector<std::string> selector_groups;
  std::string logged_grant;
  std::uint64_t warmup_calls = 1000;
  std::uint64_t max_calls = 10000;
  // Large stores: stop after `min_calls` once this many seconds have passed.
  double time_budget_s = 1e9;
  std::uint64_t min_calls = 10000;
};

struct RowResult {
  bool ok = false;
  std::string error;  // set when !ok
  CallStats stats;
  std::vector<std::uint64_t> samples_ns;  // every timed call, for merging rounds
};

// Writes CONFDIR/NAME, forks, runs the loop for `user` in the child, and
// returns the child's figures.
RowResult run_pam_row(const PamRow& row, const std::string& confdir, const std::string& user);

// For callgrind: the same row in this process, `calls` times after `warmup`
// calls, with instrumentation on only around the measured calls.
int run_pam_row_instrumented(const PamRow& row, const std::string& confdir, const std::string& user,
                             std::uint64_t warmup, std::uint64_t calls, std::string& error);

}  // namespace secstore::bench
