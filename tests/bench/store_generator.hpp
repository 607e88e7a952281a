// Deterministic Security.store and secstore.conf fixtures for the bench
// (SPEC §2.2, §3): a store of any size in which one session -- the bench
// user, its primary group and the named-session roles -- always resolves to
// the same ten roles, so only the size of the store changes between rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace secstore::bench {

struct SessionSubject {
  std::string user;   // must exist in NSS (the module looks it up)
  std::string group;  // its primary group
};

// The ten roles the subject's session holds after closure, sorted.
std::vector<std::string> session_role_names();

// About `lines` lines (exactly, give or take the fixed session block when
// `lines` is smaller than it): many roles, path assignments, defaults,
// includes (acyclic), isolations, removals, locks, user and group roles.
std::string generate_store(std::uint64_t lines, const SessionSubject& subject, std::uint64_t seed);

// Paths of depth 1..8 drawn from the same tree as the store's assignments,
// about half of them under the subject's roles' own assignments.
std::vector<std::string> generate_paths(std::size_t count, std::uint64_t seed);

// A configuration granting cap_net_bind_service (ambient, SPEC §3) to the
// subject, plus scopes that do not match it.
std::string generate_conf(const SessionSubject& subject);

// pam_cap's capability.conf granting the same capability to the same user.
std::string generate_pam_cap_conf(const SessionSubject& subject);

}  // namespace secstore::bench
