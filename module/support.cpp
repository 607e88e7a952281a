#include "support.hpp"

#include <security/pam_ext.h>
#include <syslog.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <memory>
#include <new>

#include "secstore/capabilities.hpp"
#include "secstore/encoding.hpp"
#include "secstore/module_decision.hpp"

namespace secstore::module {
namespace {

constexpr const char* kGroupsDataName = "pam_secstore_groups";

std::string string_item(pam_handle_t* pamh, int item) {
  const void* value = nullptr;
  if (pam_get_item(pamh, item, &value) != PAM_SUCCESS || value == nullptr) return {};
  return static_cast<const char*>(value);
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string escaped_roles(const std::vector<std::string>& roles) {
  std::string out;
  append_log_escaped_list(out, roles);
  return out;
}

void log_warnings(pam_handle_t* pamh, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Warning) log_line(pamh, LOG_WARNING, d.str());
}

struct SessionGroups {
  std::vector<gid_t> gids;
};

void free_session_groups(pam_handle_t*, void* data, int) { delete static_cast<SessionGroups*>(data); }

}  // namespace

int syslog_priority(FailureKind kind) {
  switch (kind) {
    case FailureKind::Config: return LOG_ALERT;
    case FailureKind::System: return LOG_CRIT;
    case FailureKind::Denied: return LOG_NOTICE;
    case FailureKind::Argument:
    case FailureKind::UnknownUser:
    case FailureKind::NameService:
    case FailureKind::Capability: break;
  }
  return LOG_ERR;
}

int pam_code(Hook hook, FailureKind kind) {
  // A session fails with PAM_SESSION_ERR whatever the cause (SPEC §4.5) and
  // is refused with PAM_PERM_DENIED; the other hooks have codes of their own
  // for an unknown user and an unreachable name service (as pam_unix).
  if (kind == FailureKind::Denied) return PAM_PERM_DENIED;
  switch (hook) {
    case Hook::Session: return PAM_SESSION_ERR;
    case Hook::Account:
      if (kind == FailureKind::UnknownUser) return PAM_USER_UNKNOWN;
      if (kind == FailureKind::NameService) return PAM_AUTHINFO_UNAVAIL;
      return PAM_SERVICE_ERR;
    case Hook::Setcred:
      if (kind == FailureKind::UnknownUser) return PAM_USER_UNKNOWN;
      if (kind == FailureKind::NameService) return PAM_CRED_UNAVAIL;
      return PAM_CRED_ERR;
    case Hook::Authenticate: break;
  }
  return PAM_SERVICE_ERR;
}

void log_line(pam_handle_t* pamh, int priority, const std::string& text) {
  // "%s": the text holds file names and user names, never a format.
  pam_syslog(pamh, priority, "%s", text.c_str());
}

int fail(pam_handle_t* pamh, Hook hook, int flags, const Failure& failure) {
  log_line(pamh, syslog_priority(failure.kind), failure.message);
  if (!failure.user_message.empty() && !(flags & PAM_SILENT))
    pam_error(pamh, "%s", failure.user_message.c_str());
  return pam_code(hook, failure.kind);
}

namespace {

void append_number(std::string& out, unsigned long value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// describe_subject, appended: every session line starts with it.
void append_subject(std::string& out, const SessionSubject& who) {
  if (who.anonymous && who.user.empty()) {
    out += "anonymous session (no user)";
    return;
  }
  out += who.anonymous ? "anonymous session (user " : "user ";
  append_log_quoted(out, who.user);
  if (who.uid) {
    out += who.anonymous ? ", uid " : " (uid ";
    append_number(out, *who.uid);
  }
  if (who.anonymous || who.uid) out += ')';
}

}  // namespace

std::string describe_subject(const SessionSubject& who) {
  std::string out;
  out.reserve(48 + who.user.size());
  append_subject(out, who);
  return out;
}

std::variant<PamDecision, Failure> decide(pam_handle_t* pamh, const ModuleArgs& args) {
  ModuleDecision d = decide_module_session(args, string_item(pamh, PAM_USER), string_item(pamh, PAM_SERVICE));
  log_warnings(pamh, d.warnings);
  if (!d.session) {
    const FailureKind kind = d.refusal == Refusal::UnknownUser   ? FailureKind::UnknownUser
                             : d.refusal == Refusal::NameService ? FailureKind::NameService
                                                                 : FailureKind::Config;
    return Failure{kind, d.refusal_message, {}};
  }
  // Made in place: a Session is large, and each move leaves one more to destroy.
  return std::variant<PamDecision, Failure>(std::in_place_type<PamDecision>, std::move(*d.session),
                                            std::move(d.required_held));
}

std::optional<Failure> check_requirements(const PamDecision& decision, const ModuleArgs& args) {
  const Session& s = decision.session;
  const std::vector<std::string> missing = missing_requirements(args, s, decision.required_held);
  if (missing.empty()) return std::nullopt;
  const std::string roles = s.access.role_names.empty() ? "no roles" : "roles " + escaped_roles(s.access.role_names);
  return Failure{FailureKind::Denied,
                 describe_subject(s.subject) + " denied: the session (" + roles + ") lacks " + join(missing, ", "),
                 "Access denied: your roles (" + (s.access.role_names.empty() ? std::string("none") : escaped_roles(s.access.role_names)) +
                     ") do not give " + join(missing, ", ") + "."};
}

namespace {

constexpr std::string_view kRolesPrefix = "SECSTORE_ROLES=";

// The list in roles_variable(session), if it is also the log's. Where that
// encoding escaped nothing (no '%'), no name holds a byte either encoding
// escapes but '"' or '\\', nor a ',': with neither of those as well, the
// lists are one. Three memchr cost less than a second pass over the names.
std::optional<std::string_view> log_ready_roles(const std::string* variable) {
  if (variable == nullptr) return std::nullopt;
  std::string_view list(*variable);
  list.remove_prefix(kRolesPrefix.size());
  for (const char c : {'%', '"', '\\'})
    if (std::memchr(list.data(), c, list.size()) != nullptr) return std::nullopt;
  return list;
}

}  // namespace

std::string summarize_session(const Session& session, std::string_view lead, const std::string* roles_variable) {
  const SessionPlan& plan = session.plan;
  const auto& roles = session.access.role_names;
  // One allocation for the line: the names, room for the fixed words, and
  // for each capability named a name's worth (libcap's longest is 22).
  std::size_t size = lead.size() + session.subject.user.size() + 256 +
                     24 * static_cast<std::size_t>(std::popcount(plan.caps.ambient) +
                                                   std::popcount(plan.caps.inheritable | plan.caps.ambient) +
                                                   std::popcount(plan.caps.bounding_drop));
  for (const auto& r : roles) size += r.size() + 1;
  if (plan.chroot) size += plan.chroot->size() + 12;
  for (const auto& g : plan.supplemental_groups) size += g.size() + 1;
  std::string out;
  out.reserve(size);
  out += lead;
  append_subject(out, session.subject);
  out += session.subject.anonymous ? " (anonymous; roles " : " (named; roles ";
  if (roles.empty()) out += "none";
  else if (const auto listed = log_ready_roles(roles_variable)) out += *listed;
  else append_log_escaped_list(out, roles);
  if (plan.caps.ambient) {
    out += "; ambient ";
    append_capability_list(out, plan.caps.ambient);
  }
  if (const CapabilityMask inheritable = plan.caps.inheritable | plan.caps.ambient) {
    out += "; inheritable ";
    append_capability_list(out, inheritable);
  }
  if (plan.root_exclusive) out += "; root exclusive";
  if (plan.caps.bounding_drop) {
    out += "; bounding drop ";
    append_capability_list(out, plan.caps.bounding_drop);
  }
  if (plan.chroot) {
    out += "; chroot ";
    append_log_quoted(out, *plan.chroot);
  }
  for (std::size_t i = 0; i < plan.supplemental_groups.size(); ++i) {
    out += i ? "," : "; groups ";
    append_log_escaped(out, plan.supplemental_groups[i]);
  }
  out += ')';
  return out;
}

std::string explain_decision(const Session& session) {
  std::string out = "global permissions ";
  const auto names = names_of(session.access.global);
  out += names.empty() ? "none" : join(names, ",");
  out += "; scopes ";
  if (session.plan.matched.empty()) out += "none";
  for (std::size_t i = 0; i < session.plan.matched.size(); ++i) {
    const auto& scope = session.plan.matched[i];
    out += (i ? ", " : "") + (scope.name.empty() ? std::string("(unnamed)") : log_quoted(scope.name)) + " (" +
           log_escape(scope.where.file) + ":" + std::to_string(scope.where.line) + ")";
  }
  return out;
}

std::string roles_variable(const Session& session) {
  // The name fits a string's own storage; the list then makes the one
  // allocation.
  std::string out(kRolesPrefix);
  append_encoded_role_list(out, session.access.role_names);
  return out;
}

std::optional<Failure> export_session_env(pam_handle_t* pamh, const Session& session,
                                          const std::string& roles_variable) {
  // pam_putenv copies what it is given: the session's kind is a literal, and
  // the roles one string built by the caller.
  const struct {
    const char* name;
    const char* variable;
  } variables[] = {
      {"SECSTORE_SESSION", session.subject.anonymous ? "SECSTORE_SESSION=anonymous" : "SECSTORE_SESSION=named"},
      {"SECSTORE_ROLES", roles_variable.c_str()},
  };
  for (const auto& [name, variable] : variables) {
    const int rc = pam_putenv(pamh, variable);
    if (rc != PAM_SUCCESS) {
      unexport_session_env(pamh);
      return Failure{FailureKind::System,
                     std::string("cannot set ") + name + " in the PAM environment: " + pam_strerror(pamh, rc), {}};
    }
  }
  return std::nullopt;
}

void unexport_session_env(pam_handle_t* pamh) {
  // A name without '=' deletes the variable; deleting an absent one is
  // PAM_BAD_ITEM, which is fine here.
  pam_putenv(pamh, "SECSTORE_SESSION");
  pam_putenv(pamh, "SECSTORE_ROLES");
}

std::optional<Failure> remember_session_groups(pam_handle_t* pamh, const std::vector<gid_t>& gids) {
  auto data = std::unique_ptr<SessionGroups>(new (std::nothrow) SessionGroups{gids});
  if (!data) return Failure{FailureKind::System, "out of memory keeping the session's groups", {}};
  const int rc = pam_set_data(pamh, kGroupsDataName, data.get(), free_session_groups);
  if (rc != PAM_SUCCESS)
    return Failure{FailureKind::System, std::string("cannot keep the session's groups: ") + pam_strerror(pamh, rc), {}};
  data.release();  // libpam owns it now and hands it back to the cleanup
  return std::nullopt;
}

std::optional<std::vector<gid_t>> remembered_session_groups(pam_handle_t* pamh) {
  const void* data = nullptr;
  if (pam_get_data(pamh, kGroupsDataName, &data) != PAM_SUCCESS || data == nullptr) return std::nullopt;
  return static_cast<const SessionGroups*>(data)->gids;
}

void forget_session_groups(pam_handle_t* pamh) {
  // Replacing the data makes libpam free the old entry through its cleanup;
  // a null entry reads as "not remembered".
  pam_set_data(pamh, kGroupsDataName, nullptr, nullptr);
}

}  // namespace secstore::module
