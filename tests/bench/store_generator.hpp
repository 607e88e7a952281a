// Deterministic Security.store and secstore.conf fixtures for the bench
// (SPEC §2.2, §3). Every store starts with the realistic core: 100 roles
// with includes, 1,000 path assignments, user and group roles, for a session
// user in three groups; larger stores add unrelated statements after it, so
// the session resolves to the same roles whatever the size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace secstore::bench {

struct SessionSubject {
  std::string user;                 // must exist in NSS (the module looks it up)
  std::string group;                // its primary group
  std::vector<std::string> groups;  // every group it is in, the primary first
};

struct RealisticCore {
  std::string text;
  std::uint64_t lines = 0;
  std::vector<std::string> session_roles;  // the subject's roles after closure, sorted
};

RealisticCore realistic_core(const SessionSubject& subject);

// The core, then filler up to `lines` lines: roles, path assignments,
// defaults, includes (acyclic), isolations, removals, locks, user and group
// roles, none of which the subject holds.
std::string generate_store(std::uint64_t lines, const SessionSubject& subject, std::uint64_t seed);

// Paths of depth 1..8 drawn from the same tree as the store's assignments,
// about half of them under the subject's roles' own assignments.
std::vector<std::string> generate_paths(std::size_t count, std::uint64_t seed);

// Ten Security scopes, eight selecting by role and two by group; those the
// subject matches grant cap_net_bind_service (ambient, SPEC §3) and a few
// inheritable capabilities.
std::string generate_conf(const SessionSubject& subject);

// The groups generate_conf's two `group =` scopes name, in file order: one
// the subject is in, then root.
std::vector<std::string> conf_group_selectors(const SessionSubject& subject);

// pam_cap's capability.conf: one @group line, then one user line granting
// cap_net_bind_service to the subject.
std::string generate_pam_cap_conf(const SessionSubject& subject);

}  // namespace secstore::bench
