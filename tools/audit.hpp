// `secstore audit`: what every account gets at login on this host, service
// by service, decided by decide_module_session exactly as pam_secstore
// decides it (the module's arguments, the policy for the service, one
// question to the name service per account), and how exposed that leaves
// each account (exposure.hpp).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "explain_report.hpp"
#include "exposure.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/module_args.hpp"
#include "secstore/module_decision.hpp"
#include "secstore/pam_stack.hpp"
#include "secstore/policy.hpp"

namespace secstore::cli {

// Where --all-local finds the accounts: the NSS `files` database. Accounts
// served by a directory (LDAP, sssd, winbind) are not listed there and
// cannot be enumerated reliably: name them with --users.
inline constexpr const char* kLocalAccounts = "/etc/passwd";

struct AuditAccount {
  std::string name;
  std::optional<uid_t> uid;  // when the name service or the file knows it
};

// The names and uids in kLocalAccounts, in file order, each once.
Outcome<std::vector<AuditAccount>> local_accounts();
// The names given, each once, with their uids when the name service knows them.
std::vector<AuditAccount> listed_accounts(const std::vector<std::string>& names);

// One pam_secstore line of a service's stack, with its arguments parsed as
// the module parses them.
struct AuditLine {
  PamLine line;
  std::optional<ModuleArgs> args;
  std::string args_error;  // set exactly when args is not
};

struct AuditService {
  std::optional<std::string> name;  // nullopt: every service without an override
  std::string pam_file;             // with --pam: the service's file
  // What decides the grant: the first session line's arguments, or the
  // module's defaults without --pam.
  ModuleArgs args;
  bool applies_plan = true;         // false: only account/auth lines (no session line)
  std::vector<AuditLine> lines;     // the stack's pam_secstore lines (with --pam)
};

// The services to audit and what is worth saying about them.
struct AuditServices {
  std::vector<AuditService> services;
  std::vector<Diagnostic> problems;  // errors end the audit; warnings are printed
};

// Without a pam.d directory: every service without an override (the
// default) and each override in secstore.d, or just `only` when given.
// With one: each service whose stack loads pam_secstore.so (only those in
// `only`, when given), with the arguments of its lines; --store/--conf
// (`files_given`) replace the lines' store= and conf=.
AuditServices audit_services(const PolicyFiles& files, bool store_given, bool conf_given,
                             const std::optional<std::string>& pam, const std::vector<std::string>& only);

// A pam_secstore line's verdict on one account.
struct AuditGate {
  const AuditLine* line = nullptr;
  enum class Result { Passes, Refuses, Fails } result = Result::Passes;  // Fails: a control that does not end the stack
  std::vector<std::string> lacks;  // the require= permissions the session lacks
  std::string reason;              // why it does not pass, in one line
};

struct AuditEntry {
  AuditAccount account;
  const AuditService* service = nullptr;
  Policy::Form form = Policy::Form::Text;
  ModuleDecision decision;
  std::optional<TextWhy> why;  // with a session
  std::vector<AuditGate> gates;
  bool refused = false;
  std::string refusal;  // the first reason, when refused
  ExposureRating exposure;
};

// Opens each policy once (the store, the conf and the service name).
class PolicyCache {
 public:
  Outcome<const Policy*> get(const std::string& store, const std::string& conf, const std::string& service);
  // What opening them said (an index that cannot be used, ...).
  const std::vector<Diagnostic>& warnings() const { return warnings_; }

 private:
  std::vector<Diagnostic> warnings_;
  std::map<std::tuple<std::string, std::string, std::string>, std::unique_ptr<Policy>> opened_;
};

// One account through one service. Errors (a policy that cannot be opened,
// a compiled index that disagrees with its text) end the audit.
Outcome<AuditEntry> audit_entry(PolicyCache& policies, const AuditAccount& account, const AuditService& service);

// The table's order: most exposed first, then by account and service.
void sort_entries(std::vector<AuditEntry>& entries);

// "(default)" or the service's name.
std::string service_label(const AuditService& service);

}  // namespace secstore::cli
