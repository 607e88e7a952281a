// Policy: the one way in. It decides between the compiled index and the
// text, and answers every question through the same evaluation either way
// (the walk in eval/, the planner in conf/).
#include "secstore/policy.hpp"

#include <mutex>

#include "conf/data.hpp"
#include "eval/role_set.hpp"
#include "index/index.hpp"
#include "policy/opening.hpp"
#include "store/access.hpp"

namespace secstore {
namespace detail {

struct PolicyState {
  PolicyFiles files;
  Policy::Options options;
  StoreParts parts = StoreParts::All;
  std::shared_ptr<const CompiledIndex> index;  // the Compiled form, with
  std::unique_ptr<const CompiledScopes> scopes;  // the service's scopes from it

  // The text: read at open for the Text form, on first need otherwise.
  mutable std::mutex text_mutex;
  mutable bool text_read = false;
  mutable std::optional<Store> store;
  mutable std::optional<Config> text_conf;
  mutable std::vector<Diagnostic> text_diagnostics;

  // Reads the text once (under the mutex); false when it is not valid.
  bool read_text() const {
    std::lock_guard lock(text_mutex);
    if (!text_read) {
      text_read = true;
      ReadBudget budget;
      auto s = load_store(files.store, options.safety, &budget, parts);
      for (auto& d : s.diagnostics) text_diagnostics.push_back(std::move(d));
      if (s.ok()) store = std::move(*s.value);
      if (files.conf.empty()) {
        text_conf = Config();  // store-only questions
      } else {
        auto c = Config::load_for_service(files.conf, files.service, options.safety, &budget);
        for (auto& d : c.diagnostics) text_diagnostics.push_back(std::move(d));
        if (c.ok()) text_conf = std::move(*c.value);
      }
    }
    return store && text_conf;
  }

  // The service's scopes from the index, as views for planning; none when
  // no configuration was asked for (store-only questions).
  std::unique_ptr<const CompiledScopes> compiled_scopes(std::string& problem) const {
    if (files.conf.empty()) return std::make_unique<const CompiledScopes>();
    return index->scope_views(files.service, problem);
  }

  // What a policy opened WithoutPaths cannot answer.
  Diagnostic without_paths(const std::string& what) const {
    return make_error(Location{files.store, 0, 0},
                      what + ": the policy was opened for a session that asks nothing of paths");
  }

  Diagnostic index_not_used(const std::string& why) const {
    return make_warning(Location{policy_index_path(files.store), 0, 0},
                        "not used, " + why + "; reading the text instead (run `secstore compile`)");
  }

  // An index entry turned out damaged after the header checked out: never
  // answer from it. The text answers instead, with a warning.
  bool fall_back(const std::string& problem, std::vector<Diagnostic>& diagnostics) const {
    diagnostics.push_back(index_not_used(problem));
    if (read_text()) return true;
    for (const auto& d : text_diagnostics) diagnostics.push_back(d);
    return false;
  }
};

}  // namespace detail

PolicyFiles default_policy_files(std::string service) {
  return PolicyFiles{SECSTORE_DEFAULT_STORE, SECSTORE_DEFAULT_CONF, std::move(service)};
}

Policy::Policy(std::shared_ptr<detail::PolicyState> state) : state_(std::move(state)) {}

Outcome<Policy> Policy::open(PolicyFiles given, const Options& options) {
  return detail::PolicyOpening::open(std::move(given), options, detail::StoreParts::All);
}

Outcome<Policy> detail::PolicyOpening::open(PolicyFiles given, const Policy::Options& options, StoreParts parts) {
  auto state = std::make_shared<detail::PolicyState>();
  state->files = std::move(given);
  const PolicyFiles& files = state->files;
  state->options = options;
  state->parts = parts;
  std::vector<Diagnostic> diagnostics;
  if (!files.service.empty() && !usable_service_name(files.service))
    return Outcome<Policy>::failure(make_error(
        Location{files.conf, 0, 0}, "the PAM service name \"" + files.service +
                                        "\" cannot name a file in secstore.d (it holds '/' or starts with '.')"));
  if (options.use_index) {
    auto opened = detail::CompiledIndex::open(files);
    if (opened.index) {
      std::string problem;
      state->index = std::move(opened.index);
      if ((state->scopes = state->compiled_scopes(problem))) return Outcome<Policy>::success(Policy(std::move(state)));
      state->index.reset();
      opened.problem = problem;
    }
    if (!opened.problem.empty()) diagnostics.push_back(state->index_not_used(opened.problem));
  }
  const bool valid = state->read_text();
  for (const auto& d : state->text_diagnostics) diagnostics.push_back(d);
  if (!valid) return Outcome<Policy>::failure(std::move(diagnostics));
  return Outcome<Policy>::success(Policy(std::move(state)), std::move(diagnostics));
}

Policy::Form Policy::form() const { return state_->index ? Form::Compiled : Form::Text; }

const PolicyFiles& Policy::files() const { return state_->files; }

GroupDetail Policy::group_detail() const {
  const bool names = state_->index ? state_->index->has_group_roles() : state_->store->has_group_roles();
  if (names) return GroupDetail::IdsAndNames;
  const bool by_group = state_->index ? detail::selects_by_group(std::span(state_->scopes->scopes))
                                      : state_->text_conf->selects_by_group();
  return by_group ? GroupDetail::Ids : GroupDetail::PrimaryOnly;
}

NamesNeeded Policy::names_needed() const {
  return state_->index ? detail::names_needed(std::span(state_->scopes->scopes)) : state_->text_conf->names_needed();
}

Outcome<Session> Policy::resolve(SessionSubject given, const ResolvedNames& names,
                                 unsigned capability_count) const {
  const detail::PolicyState& s = *state_;
  std::vector<Diagnostic> diagnostics;
  Session session;
  session.subject = std::move(given);
  const SessionSubject& who = session.subject;
  std::optional<SessionAccess> access;
  if (s.index) {
    std::string problem;
    access = s.index->session_access(who, problem);
    if (!access && !s.fall_back(problem, diagnostics)) return Outcome<Session>::failure(std::move(diagnostics));
  }
  std::optional<Outcome<SessionPlan>> plan;
  if (access) {
    plan = detail::plan_session(std::span(s.scopes->scopes), who, *access, names, capability_count);
  } else {
    access = s.store->resolve(who);
    plan = s.text_conf->plan(who, *access, names, capability_count);
  }
  session.access = std::move(*access);
  for (auto& d : plan->diagnostics) diagnostics.push_back(std::move(d));
  if (!plan->ok()) return Outcome<Session>::failure(std::move(diagnostics));
  session.plan = std::move(*plan->value);
  return Outcome<Session>::success(std::move(session), std::move(diagnostics));
}

Outcome<std::vector<PathPermissions>> Policy::path_permissions(const Session& session,
                                                               std::span<const std::string> paths) const {
  const detail::PolicyState& s = *state_;
  std::vector<Diagnostic> diagnostics;
  std::vector<PathPermissions> held;
  if (paths.empty()) return Outcome<std::vector<PathPermissions>>::success(std::move(held));
  if (s.parts == detail::StoreParts::WithoutPaths)
    return Outcome<std::vector<PathPermissions>>::failure(s.without_paths("cannot answer for a path"));
  if (s.index && detail::RoleSetAccess::made_by(session.access.roles, s.index.get())) {
    std::string problem;
    for (const auto& path : paths) {
      auto p = s.index->path_permissions(session.access.roles, path, problem);
      if (!p) break;
      held.push_back(*p);
    }
    if (held.size() == paths.size()) return Outcome<std::vector<PathPermissions>>::success(std::move(held));
    held.clear();
    if (!s.fall_back(problem, diagnostics))
      return Outcome<std::vector<PathPermissions>>::failure(std::move(diagnostics));
  } else if (s.index && !s.read_text()) {
    return Outcome<std::vector<PathPermissions>>::failure(s.text_diagnostics);
  }
  // The text answers; a session resolved from elsewhere is resolved again.
  const RoleSet roles = detail::RoleSetAccess::made_by(session.access.roles, detail::StoreAccess::shared(*s.store).get())
                            ? session.access.roles
                            : s.store->resolve(session.subject).roles;
  for (const auto& path : paths) held.push_back(s.store->path_permissions(roles, path));
  return Outcome<std::vector<PathPermissions>>::success(std::move(held), std::move(diagnostics));
}

Outcome<Store> Policy::store_text() const {
  if (state_->parts == detail::StoreParts::WithoutPaths)
    return Outcome<Store>::failure(state_->without_paths("the store's text is not kept"));
  if (!state_->read_text() && !state_->store) return Outcome<Store>::failure(state_->text_diagnostics);
  return Outcome<Store>::success(*state_->store, state_->text_diagnostics);
}

Outcome<Config> Policy::conf_text() const {
  if (!state_->read_text() && !state_->text_conf) return Outcome<Config>::failure(state_->text_diagnostics);
  return Outcome<Config>::success(*state_->text_conf, state_->text_diagnostics);
}

std::vector<SourceRecord> Policy::sources() const {
  if (state_->index) return state_->index->sources();
  std::vector<SourceRecord> out = state_->store->sources();
  for (const auto& r : state_->text_conf->sources()) out.push_back(r);
  return out;
}

std::optional<PolicyFiles> policy_index_sources(const std::string& store_path) {
  auto opened = open_checked_file(policy_index_path(store_path), FileSafety{false});
  if (!opened.ok()) return std::nullopt;
  const auto size = static_cast<std::uint64_t>(opened.value->st.st_size);
  auto read = detail::CompiledIndex::read(std::move(opened.value->fd), size, nullptr);
  if (!read.index) return std::nullopt;
  return PolicyFiles{read.index->store_path(), read.index->conf_path(), {}};
}

std::optional<std::string> stale_index_reason(const PolicyFiles& files) {
  auto opened = detail::CompiledIndex::open(files);
  if (opened.index) return std::string();
  if (opened.problem.empty()) return std::nullopt;
  return opened.problem;
}

}  // namespace secstore
