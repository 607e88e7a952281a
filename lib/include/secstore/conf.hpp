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

#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

namespace detail {
struct ConfData;
}

// Capability sets as bit masks: bit N is capability number N (libcap's
// numbering; the running kernel has cap_max_bits() of them, at most 64).
struct CapabilitySets {
  std::uint64_t ambient = 0;        // raised in ambient (implies inheritable)
  std::uint64_t inheritable = 0;    // raised in inheritable
  std::uint64_t bounding_drop = 0;  // dropped from the bounding set

  bool empty() const { return ambient == 0 && inheritable == 0 && bounding_drop == 0; }
  CapabilitySets& operator|=(const CapabilitySets& o);
  friend bool operator==(const CapabilitySets&, const CapabilitySets&) = default;
};

// Parses SPEC §3 capability text with libcap itself (cap_from_text when the
// text has '=', '+' or '-', cap_iab_from_text otherwise). On error, returns
// nullopt and sets `error` to a sentence naming the bad part.
std::optional<CapabilitySets> parse_capability_text(std::string_view text, std::string& error);

// libcap's lower-case names ("cap_net_bind_service") of the bits set in mask.
std::vector<std::string> capability_names(std::uint64_t mask);
// Every capability the running kernel knows, as a mask.
std::uint64_t all_capabilities_mask();

// What the planner needs to know about a session. The caller (module or
// command) fills it from NSS and the store.
struct SessionFacts {
  bool anonymous = false;
  std::string user;                     // PAM_USER (may be empty when anonymous)
  std::optional<uid_t> uid;             // nullopt when the user is not known to NSS
  std::vector<std::string> group_names; // primary + supplementary
  std::vector<gid_t> gids;              // the same groups, numerically, where known
  std::vector<std::string> roles;       // after closure (SPEC §3 `role =` selector)
};

struct ScopeRef {
  std::string name;  // instance name, empty for an anonymous `Security { }`
  Location where;    // the scope's opening line
};

struct SessionPlan {
  CapabilitySets caps;
  bool root_exclusive = false;  // uid 0 with capabilities: all others dropped from bounding
  std::optional<std::string> chroot;
  std::vector<std::string> supplemental_groups;  // as written (names or numbers), deduplicated
  std::vector<ScopeRef> matched;                 // in file order
};

class Config {
 public:
  // Loads `path` and its includes. Every file read is safety-checked, and so
  // is every included directory (whoever can add a file to it could change
  // every session). With safety.require_root_owned false, unsafe files are
  // read without a diagnostic: callers re-check files_read() if they care.
  static Outcome<Config> load(const std::string& path, const FileSafety& safety);
  // As load(), but if DIR/secstore.d/SERVICE.conf exists beside `path`
  // (DIR = dirname(path)), its Security scopes replace the main file's
  // (SPEC §3 per-service override). The main file must still be valid. An
  // empty service means no override; a service name that holds '/' or
  // starts with '.' is an error (it cannot name a file in secstore.d).
  static Outcome<Config> load_for_service(const std::string& path, std::string_view service,
                                          const FileSafety& safety);
  // Parses text as if read from `file_name`; includes resolve relative to it.
  static Outcome<Config> parse(std::string_view text, const std::string& file_name,
                               const FileSafety& safety);

  // An empty configuration (no scopes).
  Config();

  // Combines every matching scope (SPEC §3). Errors: two different chroots
  // (naming both scopes; "/a/" and "/a" are one directory).
  // `user = N` matches facts.user == N, or facts.uid == N when N is a number;
  // `group = G` matches a name in facts.group_names, or a number in facts.gids.
  Outcome<SessionPlan> plan(const SessionFacts& facts) const;

  // Warnings that do not depend on a session: scopes that would confine root
  // (SPEC §3 "root sessions"), ... For `secstore check`.
  std::vector<Diagnostic> lint() const;

  // Every group name the configuration mentions (selectors and
  // supplemental_groups), with where: the module and `check` verify they exist.
  // Numeric gids are not names and are left out.
  std::vector<std::pair<std::string, Location>> group_references() const;
  // Whether any scope selects sessions by group (`group = NAME|GID`): if
  // none does, a session's groups cannot change its plan.
  bool selects_by_group() const;

  const std::vector<std::string>& files_read() const;

 private:
  explicit Config(std::shared_ptr<const detail::ConfData> data);
  std::shared_ptr<const detail::ConfData> data_;
};

}  // namespace secstore

#pragma GCC visibility pop
