#include "loading.hpp"

namespace secstore::cli {

PolicyFiles policy_files_from(const ParsedOptions& options) {
  PolicyFiles files = default_policy_files(options.value("service").value_or(""));
  if (auto store = options.value("store")) files.store = *store;
  if (auto conf = options.value("conf")) files.conf = *conf;
  return files;
}

OpenedPolicy open_policy(const PolicyFiles& files, const FileSafety& safety) {
  OpenedPolicy out;
  auto opened = Policy::open(files, Policy::Options{safety, true});
  out.diagnostics = std::move(opened.diagnostics);
  if (opened.ok())
    out.policy.emplace(std::move(*opened.value));
  else
    out.failure_exit = exit_code_for(out.diagnostics);
  return out;
}

std::vector<std::string> override_services(const std::string& conf_path, std::vector<Diagnostic>& problems) {
  auto listed = read_policy_directory(service_override_directory(conf_path), ".conf", FileSafety{true});
  problems.insert(problems.end(), listed.diagnostics.begin(), listed.diagnostics.end());
  std::vector<std::string> services;
  if (listed.ok())
    for (const auto& n : listed.value->names) services.push_back(n.substr(0, n.size() - 5));
  return services;
}

int exit_code_for(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error && d.problem == Problem::Unreadable) return kExitUsage;
  return kExitNo;
}

void print_diagnostics(std::ostream& out, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) out << d.str() << '\n';
}

void print_errors(std::ostream& out, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error) out << d.str() << '\n';
}

}  // namespace secstore::cli
