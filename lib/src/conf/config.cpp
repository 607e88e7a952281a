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

using DataOutcome = Outcome<std::shared_ptr<const detail::ConfData>>;

bool has_error(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

DataOutcome data_from_tree(Outcome<detail::ConfTree> tree) {
  DataOutcome out;
  out.diagnostics = std::move(tree.diagnostics);
  if (!tree.ok()) return out;
  auto scopes = detail::read_security_scopes(tree.value->nodes, tree.value->files);
  for (auto& d : scopes.diagnostics) out.diagnostics.push_back(std::move(d));
  if (!scopes.ok() || has_error(out.diagnostics)) return out;
  auto data = std::make_shared<detail::ConfData>();
  data->scopes = std::move(*scopes.value);
  data->files = std::move(tree.value->files);
  out.value = std::move(data);
  return out;
}

// A PAM service name becomes a file name under secstore.d: one that could
// reach outside that directory, or name a hidden file, is not a service.
bool usable_as_file_name(std::string_view service) {
  return !service.empty() && service.front() != '.' &&
         service.find('/') == std::string_view::npos &&
         service.find('\0') == std::string_view::npos;
}

}  // namespace

Config::Config() : data_(std::make_shared<detail::ConfData>()) {}

Config::Config(std::shared_ptr<const detail::ConfData> data) : data_(std::move(data)) {}

const std::vector<std::string>& Config::files_read() const { return data_->files; }

Outcome<Config> Config::parse(std::string_view text, const std::string& file_name,
                              const FileSafety& safety) {
  auto data = data_from_tree(detail::parse_conf_tree(text, file_name, safety));
  Outcome<Config> out;
  out.diagnostics = std::move(data.diagnostics);
  if (data.ok()) out.value = Config(std::move(*data.value));
  return out;
}

Outcome<Config> Config::load(const std::string& path, const FileSafety& safety) {
  auto data = data_from_tree(detail::load_conf_tree(path, safety));
  Outcome<Config> out;
  out.diagnostics = std::move(data.diagnostics);
  if (data.ok()) out.value = Config(std::move(*data.value));
  return out;
}

Outcome<Config> Config::load_for_service(const std::string& path, std::string_view service,
                                         const FileSafety& safety) {
  // The main file must be valid even when an override replaces its scopes:
  // a broken main file is an error for every service.
  auto main = load(path, safety);
  if (!main.ok() || service.empty()) return main;

  const std::string dir = detail::resolve_against(detail::directory_of(path), "secstore.d");
  if (!usable_as_file_name(service))
    return Outcome<Config>::failure(make_error(
        Location{path, 0, 0}, "the PAM service name \"" + std::string(service) +
                                  "\" cannot name a file in " + dir +
                                  " (it holds '/' or starts with '.'); refusing it"));
  const std::string override_path = dir + "/" + std::string(service) + ".conf";
  struct stat st {};
  if (::stat(override_path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return main;
    return Outcome<Config>::failure(make_error(
        Location{override_path, 0, 0},
        std::string("cannot check for a per-service override: ") + std::strerror(err)));
  }

  auto data = data_from_tree(detail::load_conf_tree(override_path, safety));
  Outcome<Config> out;
  out.diagnostics = std::move(main.diagnostics);
  for (auto& d : data.diagnostics) out.diagnostics.push_back(std::move(d));
  if (!data.ok()) return out;
  auto merged = std::make_shared<detail::ConfData>(**data.value);
  merged->files = main.value->files_read();
  merged->files.insert(merged->files.end(), (*data.value)->files.begin(),
                       (*data.value)->files.end());
  out.value = Config(std::move(merged));
  return out;
}

}  // namespace secstore
