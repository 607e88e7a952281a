#include "audit.hpp"

#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "loading.hpp"
#include "secstore/nss.hpp"

namespace secstore::cli {
namespace {

// The line's arguments as the module parses them.
AuditLine audit_line(PamLine line) {
  std::vector<const char*> argv;
  for (const auto& a : line.args) argv.push_back(a.c_str());
  auto parsed = parse_module_args(static_cast<int>(argv.size()), argv.data());
  return AuditLine{std::move(line), std::move(parsed.args), std::move(parsed.error)};
}

ModuleArgs default_args() { return *parse_module_args(0, nullptr).args; }

void use_files(ModuleArgs& args, const PolicyFiles& files, bool store_given, bool conf_given) {
  if (store_given) args.store_path = files.store;
  if (conf_given) args.conf_path = files.conf;
}

bool wanted(const std::vector<std::string>& only, const std::string& service) {
  return only.empty() || std::find(only.begin(), only.end(), service) != only.end();
}

// The arguments that change a decision (require= only gates it).
std::string decision_key(const ModuleArgs& args) {
  std::string key = args.store_path + '\0' + args.conf_path + '\0';
  for (const auto& u : args.anonymous.users) key += u + '\1';
  key += '\0';
  for (const auto& g : args.anonymous.groups) key += g + '\1';
  key += '\0';
  for (const auto& r : args.required_paths) key += r.path + '\1';
  return key;
}

// A failing line ends the stack only with a control that says so.
AuditGate::Result failing(const std::string& control) {
  return control == "required" || control == "requisite" ? AuditGate::Result::Refuses : AuditGate::Result::Fails;
}

}  // namespace

Outcome<std::vector<AuditAccount>> local_accounts() {
  FILE* file = std::fopen(kLocalAccounts, "re");
  if (file == nullptr)
    return Outcome<std::vector<AuditAccount>>::failure(make_error(
        Location{kLocalAccounts, 0, 0}, std::string("cannot read the file: ") + std::strerror(errno), Problem::Unreadable));
  std::vector<AuditAccount> out;
  std::set<std::string> seen;
  while (struct passwd* pw = ::fgetpwent(file))
    if (pw->pw_name && *pw->pw_name && seen.insert(pw->pw_name).second) out.push_back({pw->pw_name, pw->pw_uid});
  std::fclose(file);
  return Outcome<std::vector<AuditAccount>>::success(std::move(out));
}

std::vector<AuditAccount> listed_accounts(const std::vector<std::string>& names) {
  std::vector<AuditAccount> out;
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(name).second) continue;
    auto found = lookup_subject(name, GroupDetail::PrimaryOnly);
    out.push_back({name, found.status == LookupStatus::Found ? found.subject.uid : std::nullopt});
  }
  return out;
}

AuditServices audit_services(const PolicyFiles& files, bool store_given, bool conf_given,
                             const std::optional<std::string>& pam, const std::vector<std::string>& only) {
  AuditServices out;
  if (!pam) {
    ModuleArgs args = default_args();
    use_files(args, files, true, true);
    if (!only.empty()) {
      for (const auto& s : only) out.services.push_back(AuditService{s, {}, args, true, {}});
      return out;
    }
    out.services.push_back(AuditService{std::nullopt, {}, args, true, {}});
    for (const auto& s : override_services(files.conf, out.problems))
      out.services.push_back(AuditService{s, {}, args, true, {}});
    return out;
  }
  std::set<std::string> audited;
  const bool directory = std::filesystem::is_directory(*pam);
  for (const auto& file : pam_files(*pam)) {
    const std::string name = std::filesystem::path(file).filename().string();
    // Debian's common-* files are what services include, not services.
    if (directory && name.rfind("common-", 0) == 0) continue;
    if (!wanted(only, name)) continue;
    auto lines = service_secstore_lines(file);
    if (!lines.ok()) {
      out.problems.insert(out.problems.end(), lines.diagnostics.begin(), lines.diagnostics.end());
      continue;
    }
    if (lines.value->empty()) continue;
    AuditService service{name, file, default_args(), false, {}};
    bool args_taken = false;
    for (auto& line : *lines.value) {
      if (line.type == "password") continue;  // no password hook: it gates no login
      AuditLine audited_line = audit_line(std::move(line));
      if (audited_line.args) use_files(*audited_line.args, files, store_given, conf_given);
      const bool session_line = audited_line.line.type == "session" && audited_line.args;
      if (audited_line.args && (!args_taken || (session_line && !service.applies_plan))) {
        service.args = *audited_line.args;
        args_taken = true;
      }
      service.applies_plan = service.applies_plan || session_line;
      service.lines.push_back(std::move(audited_line));
    }
    if (service.lines.empty()) continue;
    if (!args_taken) use_files(service.args, files, store_given, conf_given);
    audited.insert(name);
    out.services.push_back(std::move(service));
  }
  // An override no audited stack reaches changes nothing: worth a word.
  std::vector<Diagnostic> ignored;
  const std::string conf = conf_given || out.services.empty() ? files.conf : out.services.front().args.conf_path;
  if (only.empty())
    for (const auto& s : override_services(conf, ignored))
      if (!audited.count(s))
        out.problems.push_back(make_warning(Location{service_override_directory(conf) + "/" + s + ".conf", 0, 0},
                                            "no service in " + *pam + " loads pam_secstore.so for \"" + s +
                                                "\": this override applies to no session"));
  return out;
}

Outcome<const Policy*> PolicyCache::get(const std::string& store, const std::string& conf, const std::string& service) {
  auto key = std::make_tuple(store, conf, service);
  if (auto it = opened_.find(key); it != opened_.end()) return Outcome<const Policy*>::success(it->second.get());
  // As the module reads them: the file rule enforced, the index when current.
  auto opened = Policy::open(PolicyFiles{store, conf, service}, Policy::Options{FileSafety{true}, true});
  if (!opened.ok()) return Outcome<const Policy*>::failure(opened.diagnostics);
  warnings_.insert(warnings_.end(), opened.diagnostics.begin(), opened.diagnostics.end());
  auto& slot = opened_[key];
  slot = std::make_unique<Policy>(std::move(*opened.value));
  return Outcome<const Policy*>::success(slot.get(), opened.diagnostics);
}

Outcome<AuditEntry> audit_entry(PolicyCache& policies, const AuditAccount& account, const AuditService& service) {
  using Result = Outcome<AuditEntry>;
  const std::string service_name = service.name.value_or("");
  // One decision per distinct set of arguments: the lines of a stack
  // usually differ only in require=, which gates the same decision.
  std::map<std::string, ModuleDecision> decisions;
  std::vector<Diagnostic> problems;
  auto decide = [&](const ModuleArgs& args) -> const ModuleDecision* {
    const std::string key = decision_key(args);
    if (auto it = decisions.find(key); it != decisions.end()) return &it->second;
    auto policy = policies.get(args.store_path, args.conf_path, service_name);
    if (!policy.ok()) {
      problems = policy.diagnostics;
      return nullptr;
    }
    return &decisions.emplace(key, decide_module_session(**policy.value, args, account.name, GroupDetail::IdsAndNames))
                .first->second;
  };

  AuditEntry entry;
  entry.account = account;
  entry.service = &service;
  const ModuleDecision* decided = decide(service.args);
  if (decided == nullptr) return Result::failure(problems);
  entry.decision = *decided;
  const Policy* policy = *policies.get(service.args.store_path, service.args.conf_path, service_name).value;
  entry.form = policy->form();
  if (entry.decision.session) {
    if (!entry.account.uid) entry.account.uid = entry.decision.session->subject.uid;
    auto why = text_for_why(*policy, *entry.decision.session, {}, {});
    if (!why.ok()) return Result::failure(why.diagnostics);
    entry.why = std::move(*why.value);
  } else if (service.lines.empty()) {
    // Without a stack to read, the session line is `required`, as shipped.
    entry.refused = true;
    entry.refusal = entry.decision.refusal_message;
  }

  for (const auto& line : service.lines) {
    AuditGate gate{&line, AuditGate::Result::Passes, {}, {}};
    if (!line.args) {
      gate.reason = line.args_error;
    } else if (const ModuleDecision* d = decide(*line.args); d == nullptr) {
      return Result::failure(problems);
    } else if (!d->session) {
      gate.reason = d->refusal_message;
    } else {
      gate.lacks = missing_requirements(*line.args, *d->session, d->required_held);
      if (!gate.lacks.empty()) {
        gate.reason = "lacks";
        for (std::size_t i = 0; i < gate.lacks.size(); ++i) gate.reason += (i ? ", " : " ") + gate.lacks[i];
      }
    }
    if (!gate.reason.empty()) {
      gate.result = failing(line.line.control);
      if (gate.result == AuditGate::Result::Refuses && !entry.refused) {
        entry.refused = true;
        entry.refusal = where_text(line.line.where) + ": " + gate.reason;
      }
    }
    entry.gates.push_back(std::move(gate));
  }
  if (!entry.refused && service.applies_plan && entry.decision.session) entry.exposure = rate_session(*entry.decision.session);
  return Result::success(std::move(entry));
}

void sort_entries(std::vector<AuditEntry>& entries) {
  auto score = [](const AuditEntry& e) { return e.refused ? -1 : exposure_score(e.exposure.level); };
  std::stable_sort(entries.begin(), entries.end(), [&](const AuditEntry& a, const AuditEntry& b) {
    if (score(a) != score(b)) return score(a) > score(b);
    if (a.account.name != b.account.name) return a.account.name < b.account.name;
    // The default before the named services.
    return a.service->name.has_value() < b.service->name.has_value() ||
           (a.service->name.has_value() == b.service->name.has_value() && a.service->name < b.service->name);
  });
}

std::string service_label(const AuditService& service) { return service.name.value_or("(default)"); }

}  // namespace secstore::cli
