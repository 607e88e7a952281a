// secstore.conf: `Security { }` scopes in Ecelerity/Momentum configuration
// syntax (SPEC §3), and the plan they make for one session: which
// capabilities it keeps, its root directory, its extra groups.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/capabilities.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/session.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

namespace detail {
struct ConfData;
struct ConfigAccess;
}

class Config {
 public:
  // Loads `path` and its includes. Every file and included directory is
  // checked as `safety` says; with a budget, the load's bounds apply.
  static Outcome<Config> load(const std::string& path, const FileSafety& safety, ReadBudget* budget = nullptr);
  // As load(), and if DIR/secstore.d/SERVICE.conf exists beside `path`, its
  // Security scopes replace the main file's (SPEC §3 per-service override).
  // The main file must still be valid. An empty service means no override;
  // a service name that holds '/' or starts with '.' is an error (it cannot
  // name a file in secstore.d).
  static Outcome<Config> load_for_service(const std::string& path, std::string_view service,
                                          const FileSafety& safety, ReadBudget* budget = nullptr);
  // Parses text as if read from `file_name`; includes resolve relative to it.
  static Outcome<Config> parse(std::string_view text, const std::string& file_name, const FileSafety& safety);

  // An empty configuration (no scopes).
  Config();

  // Every scope that matches the session, combined (SPEC §3). Selectors
  // match by identity: `user = NAME` matches the account whose uid NAME has
  // in `names` (all digits: that uid), and only when the session has no
  // account here, its user name; `group = G` matches a session in the group
  // with G's gid (or named G); `role =` a session holding one of the roles.
  // Errors: a group named by a selector or supplemental_groups that is not
  // in `names`; two different chroots for one session. `capability_count`
  // is the kernel's (kernel_capability_count()): an exclusive root session
  // drops every other capability it has.
  Outcome<SessionPlan> plan(const SessionSubject& who, const SessionAccess& access, const ResolvedNames& names,
                            unsigned capability_count) const;

  // The user and group names plan() needs resolved.
  NamesNeeded names_needed() const;
  // The groups the scopes name that are not in `names`: plan() refuses
  // every session while there is one (SPEC §4.5 "unknown group").
  std::vector<Diagnostic> unknown_groups(const ResolvedNames& names) const;
  // Whether any scope selects sessions by group: if none does, a session's
  // groups cannot change its plan.
  bool selects_by_group() const;

  // Findings that do not depend on a session, for `secstore check`: a scope
  // that changes nothing, a capability text that grants and drops one
  // capability.
  std::vector<Diagnostic> lint() const;
  // For `secstore check` (SPEC §3 "root sessions"): a warning for each scope
  // with capabilities that root's sessions match, since root then keeps only
  // those. `root` and `access` are root's session as the module resolves it;
  // `roles_known` false when the store is not at hand (role selectors are
  // then taken to match). A scope root matches only through a group, or
  // through a role it holds only through a group, says "could": group
  // membership comes from the name service and can change.
  std::vector<Diagnostic> root_confinement(const SessionSubject& root, const SessionAccess& access,
                                           const ResolvedNames& names, bool roles_known,
                                           const std::vector<std::string>& roles_from_groups) const;
  // The chroot directories the scopes name, with where.
  std::vector<std::pair<std::string, Location>> chroot_directories() const;

  // The files and directories read (the main file first).
  const std::vector<SourceRecord>& sources() const;
  // The main file as given.
  const std::string& file_name() const;

 private:
  friend struct detail::ConfigAccess;
  explicit Config(std::shared_ptr<const detail::ConfData> data);
  std::shared_ptr<const detail::ConfData> data_;
};

// DIR/secstore.d beside a configuration at DIR/secstore.conf.
std::string service_override_directory(const std::string& conf_path);
// Whether a PAM service name can name a file in secstore.d (SPEC §3).
bool usable_service_name(std::string_view service);

}  // namespace secstore

#pragma GCC visibility pop
