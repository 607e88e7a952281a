// Config: loading secstore.conf (with includes and the per-service
// override, SPEC §3) into immutable, shareable data.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "conf/data.hpp"
#include "conf/include.hpp"
#include "conf/text.hpp"
#include "secstore/conf.hpp"

namespace secstore {
namespace {

// Not yet const: the per-service override changes the main file's data in
// place rather than copying every scope.
using DataOutcome = Outcome<std::shared_ptr<detail::ConfData>>;

DataOutcome data_from_tree(Outcome<detail::ConfTree> tree, const std::string& file) {
  if (!tree.ok()) return DataOutcome::failure(std::move(tree.diagnostics));
  std::vector<Diagnostic> diagnostics = std::move(tree.diagnostics);
  auto scopes = detail::read_security_scopes(tree.value->nodes, tree.value->files);
  for (auto& d : scopes.diagnostics) diagnostics.push_back(std::move(d));
  if (!scopes.ok() || has_error(diagnostics)) return DataOutcome::failure(std::move(diagnostics));
  auto data = std::make_shared<detail::ConfData>();
  data->file = file;
  data->scopes = std::move(*scopes.value);
  data->sources = std::move(tree.value->sources);
  return DataOutcome::success(std::move(data), std::move(diagnostics));
}

Outcome<Config> config_from(DataOutcome data) {
  if (!data.ok()) return Outcome<Config>::failure(std::move(data.diagnostics));
  return Outcome<Config>::success(detail::ConfigAccess::make(std::move(*data.value)), std::move(data.diagnostics));
}

}  // namespace

std::string service_override_directory(const std::string& conf_path) {
  return detail::resolve_against(detail::directory_of(conf_path), "secstore.d");
}

// A PAM service name becomes a file name under secstore.d: one that could
// reach outside that directory, or name a hidden file, is not a service.
bool usable_service_name(std::string_view service) {
  return !service.empty() && service.front() != '.' && service.find('/') == std::string_view::npos &&
         service.find('\0') == std::string_view::npos;
}

Config::Config() : data_(std::make_shared<detail::ConfData>()) {}

Config::Config(std::shared_ptr<const detail::ConfData> data) : data_(std::move(data)) {}

const std::vector<SourceRecord>& Config::sources() const { return data_->sources; }

const std::string& Config::file_name() const { return data_->file; }

Outcome<Config> Config::parse(std::string_view text, const std::string& file_name, const FileSafety& safety) {
  ReadBudget budget;
  return config_from(data_from_tree(detail::parse_conf_tree(text, file_name, safety, budget), file_name));
}

Outcome<Config> Config::load(const std::string& path, const FileSafety& safety, ReadBudget* budget) {
  ReadBudget own;
  return config_from(data_from_tree(detail::load_conf_tree(path, safety, budget ? *budget : own), path));
}

Outcome<Config> Config::load_for_service(const std::string& path, std::string_view service,
                                         const FileSafety& safety, ReadBudget* budget) {
  ReadBudget own;
  if (budget == nullptr) budget = &own;
  // The main file must be valid even when an override replaces its scopes:
  // a broken main file is an error for every service.
  auto main = data_from_tree(detail::load_conf_tree(path, safety, *budget), path);
  if (!main.ok() || service.empty()) return config_from(std::move(main));

  const std::string dir = service_override_directory(path);
  if (!usable_service_name(service))
    return Outcome<Config>::failure(make_error(
        Location{path, 0, 0}, "the PAM service name \"" + std::string(service) + "\" cannot name a file in " + dir +
                                  " (it holds '/' or starts with '.'); refusing it"));
  std::shared_ptr<detail::ConfData> merged = std::move(*main.value);
  std::vector<Diagnostic> diagnostics = std::move(main.diagnostics);
  // The directory itself is checked: whoever can write it can plant an
  // override for any service.
  auto listed = read_policy_directory(dir, ".conf", safety);
  for (auto& d : listed.diagnostics) diagnostics.push_back(std::move(d));
  if (!listed.ok()) return Outcome<Config>::failure(std::move(diagnostics));
  merged->sources.push_back(listed.value->record);
  const std::string override_path = dir + "/" + std::string(service) + ".conf";
  if (std::find(listed.value->names.begin(), listed.value->names.end(), std::string(service) + ".conf") ==
      listed.value->names.end())
    return Outcome<Config>::success(detail::ConfigAccess::make(std::move(merged)), std::move(diagnostics));

  auto override_data = data_from_tree(detail::load_conf_tree(override_path, safety, *budget), override_path);
  for (auto& d : override_data.diagnostics) diagnostics.push_back(std::move(d));
  if (!override_data.ok()) return Outcome<Config>::failure(std::move(diagnostics));
  merged->scopes = std::move((*override_data.value)->scopes);
  for (const auto& s : (*override_data.value)->sources) merged->sources.push_back(s);
  return Outcome<Config>::success(detail::ConfigAccess::make(std::move(merged)), std::move(diagnostics));
}

}  // namespace secstore
