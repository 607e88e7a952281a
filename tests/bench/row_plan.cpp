#include "row_plan.hpp"

#include "store_generator.hpp"

namespace secstore::bench {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

std::vector<RowPlan> plan_rows(const Options& o, const SessionSubject& subject) {
  const std::string expected_roles = joined(realistic_core(subject).session_roles);
  std::vector<RowPlan> plans;
  auto add = [&](std::string name, std::string service, PamOperation op, GrantCheck check, std::string what,
                 std::string baseline) {
    RowPlan p;
    p.row.name = std::move(name);
    p.row.service_text = std::move(service);
    p.row.operation = op;
    p.row.grant_check = check;
    p.row.max_calls = o.calls;
    p.row.min_calls = o.calls;
    p.row.warmup_calls = o.calls / 10;
    p.what = std::move(what);
    p.baseline = std::move(baseline);
    plans.push_back(std::move(p));
    return &plans.back();
  };
  add("permit-session", "session required pam_permit.so\n", PamOperation::OpenAndCloseSession, GrantCheck::None,
      "pam_permit; open+close", "");
  for (const std::uint64_t lines : o.sizes) {
    RowPlan* p = add(size_row_name(lines),
                     "session required pam_permit.so\nsession required " + o.module + " store=" +
                         store_path(o, lines) + " conf=" + conf_path(o) + "\n",
                     PamOperation::OpenAndCloseSession, GrantCheck::InheritableRaised,
                     "pam_permit + pam_secstore, " + std::to_string(lines) + "-line store; open+close",
                     "permit-session");
    p->row.expected_roles = expected_roles;
    // Each open parses the whole store (today): bound the time, not the calls.
    if (lines >= 1000000) {
      p->row.warmup_calls = 1;
      p->row.min_calls = 10;
      p->row.time_budget_s = 45;
    } else if (lines >= 100000) {
      p->row.warmup_calls = 5;
      p->row.min_calls = 50;
      p->row.time_budget_s = 20;
    } else if (lines >= 10000) {
      p->row.min_calls = 500;
      p->row.time_budget_s = 20;
    }
  }
  // The same stores with a compiled index beside them (secstore compile):
  // the module reads the index's header and the session's entries only.
  for (const std::uint64_t lines : o.sizes) {
    RowPlan* p = add(indexed_row_name(lines),
                     "session required pam_permit.so\nsession required " + o.module + " store=" +
                         indexed_store_path(o, lines) + " conf=" + conf_path(o) + "\n",
                     PamOperation::OpenAndCloseSession, GrantCheck::InheritableRaised,
                     "pam_permit + pam_secstore, " + std::to_string(lines) + "-line store with its index; open+close",
                     "permit-session");
    p->row.expected_roles = expected_roles;
  }
  // The module with nothing to parse: what an open costs besides reading the
  // store (configuration, NSS, capabilities, log), i.e. the floor a compiled
  // store index could approach. Nothing grants: the scopes select by role
  // and group, and an empty store gives no roles.
  add("secstore-empty",
      "session required pam_permit.so\nsession required " + o.module + " store=" + empty_store_path(o) +
          " conf=" + conf_path(o) + "\n",
      PamOperation::OpenAndCloseSession, GrantCheck::None,
      "pam_permit + pam_secstore, empty store; open+close", "permit-session");
  // Not a PAM stack: the name-service lookups both modules make for the
  // session's user, timed alone. Neither module can cost less than this while
  // it resolves the user's groups.
  add("nss-groups", "session required pam_permit.so\n", PamOperation::NameServiceLookup, GrantCheck::None,
      "no PAM call: getpwnam_r + getgrouplist for the user, as both modules ask", "");
  // Not a module either: what the contract makes any module do for this
  // session on this conf, with no policy (pam_rows.cpp says what). No module
  // that keeps SPEC §2.3, §3 and §4.7 can cost less than this.
  RowPlan* floor = add("contract-floor", "session required pam_permit.so\n", PamOperation::ContractFloor,
                       GrantCheck::None,
                       "no module: nss-groups + each group's name + each group selector's gid + the session's log line",
                       "");
  floor->row.selector_groups = conf_group_selectors(subject);
  floor->row.logged_grant = expected_roles +
                            "; ambient cap_net_bind_service; inheritable cap_net_bind_service,cap_net_admin,"
                            "cap_net_raw,cap_sys_nice";
  add("permit-setcred", "auth required pam_permit.so\n", PamOperation::EstablishAndDeleteCred, GrantCheck::None,
      "pam_permit; setcred establish+delete", "");
  add("pam_cap",
      "auth required pam_permit.so\nauth optional " + o.pam_cap + " config=" + pam_cap_conf_path(o) + "\n",
      PamOperation::EstablishAndDeleteCred, GrantCheck::InheritableRaised,
      "pam_permit + pam_cap (as Debian's profile: no options), @group line then user line; setcred establish+delete", "permit-setcred");
  add("pam_cap-defer",
      "auth required pam_permit.so\nauth optional " + o.pam_cap + " config=" + pam_cap_conf_path(o) +
          " keepcaps defer\n",
      PamOperation::EstablishAndDeleteCred, GrantCheck::None,
      "pam_permit + pam_cap keepcaps defer (IAB applied at pam_end), @group line then user line; setcred", "permit-setcred");
  return plans;
}

}  // namespace secstore::bench
