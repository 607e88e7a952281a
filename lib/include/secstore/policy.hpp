// The one way in (SPEC §3 compiled policy, §4.5): the store, its drop-ins
// and secstore.conf for a PAM service, read from the compiled index
// (`secstore compile`) when every file it was compiled from is unchanged and
// the index is safe, else from the text. pam_secstore, `secstore check`,
// `explain`, `can` and secstore-shell all answer through here (the C API
// asks a Store alone, the evaluator the text path uses, with no conf):
//
//   Policy::open        files -> policy (index or text; why, as diagnostics)
//   lookup_subject,     the name service, by the caller, once
//   lookup_names        (secstore/nss.hpp)
//   Policy::resolve     who -> roles, permissions, plan (pure)
//   Policy::path_permissions
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "secstore/conf.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/nss.hpp"
#include "secstore/session.hpp"
#include "secstore/store.hpp"

// The library's own way to open a policy for a session; hidden, not API.
namespace secstore::detail {
struct __attribute__((visibility("hidden"))) PolicyOpening;
}

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

namespace detail {
struct PolicyState;
}

struct PolicyFiles {
  std::string store;
  // "" for questions the store alone answers (roles and permissions):
  // no configuration is read and every plan is empty.
  std::string conf;
  std::string service;  // the PAM service, for secstore.d/SERVICE.conf; "" for none
};

// The files pam_secstore reads when its stack names none.
PolicyFiles default_policy_files(std::string service = {});

class Policy {
 public:
  enum class Form { Compiled, Text };
  struct Options {
    FileSafety safety;
    // Read the compiled index when it is current. Off: always the text.
    bool use_index = true;
  };

  // Errors are the text's: a file that cannot be read (Problem::Unreadable),
  // is unsafe (Unsafe) or says something invalid (Invalid). An index that
  // exists but cannot be used is not an error: the text is read and a
  // warning says why.
  static Outcome<Policy> open(PolicyFiles files, const Options& options);

  Form form() const;
  const PolicyFiles& files() const;

  // How much of a session's group membership can change any answer: names
  // when the store gives roles to groups, ids when a scope selects by group,
  // nothing else. A caller may ask the name service for no more (exact: the
  // groups feed nothing else).
  GroupDetail group_detail() const;
  // The names the caller must resolve before resolve().
  NamesNeeded names_needed() const;

  // The session's roles, global permissions and plan. Errors: those of
  // Config::plan. Should the compiled index turn out damaged, the text
  // answers and a warning says so.
  // `who` is kept in the Session (moved in, not copied).
  Outcome<Session> resolve(SessionSubject who, const ResolvedNames& names, unsigned capability_count) const;
  // What the session holds at each path (SPEC §2.3), in order.
  Outcome<std::vector<PathPermissions>> path_permissions(const Session& session,
                                                         std::span<const std::string> paths) const;

  // The parsed text, for what only the text can say (explain's why, dump,
  // check). Read on first use when the policy is compiled; its diagnostics
  // are those of Store::load and Config::load_for_service.
  Outcome<Store> store_text() const;
  Outcome<Config> conf_text() const;

  // Every file and directory the answers depend on.
  std::vector<SourceRecord> sources() const;

 private:
  friend struct detail::PolicyOpening;
  explicit Policy(std::shared_ptr<detail::PolicyState> state);
  std::shared_ptr<detail::PolicyState> state_;
};

// `secstore compile` (SPEC §3): writes STORE.idx beside the store with the
// store, its drop-ins, the configuration named by files.conf with its
// includes, and every per-service override in secstore.d, together with the
// identity of every file and directory read. The index gets the strictest
// mode of its sources (a 0600 store gives a 0600 index). The value is the
// index's path.
Outcome<std::string> compile_policy(const PolicyFiles& files, const FileSafety& safety);

// STORE.idx
std::string policy_index_path(const std::string& store_path);

// Whether the index beside the store is current for these files (for
// `secstore check`): nullopt when there is no index, "" when it is current,
// else why the module would not use it.
std::optional<std::string> stale_index_reason(const PolicyFiles& files);

// The store and configuration the index beside `store_path` was compiled
// from, if there is an index that can be read: what to compile it from
// again after a change (`apply`, `edit`).
std::optional<PolicyFiles> policy_index_sources(const std::string& store_path);

}  // namespace secstore

#pragma GCC visibility pop
