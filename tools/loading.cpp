#include "loading.hpp"

#include "cli.hpp"
#include "secstore/file.hpp"

namespace secstore::cli {
namespace {

template <class T, class Parsed>
Loaded<T> from_outcome(Parsed&& outcome, std::string safety_warning) {
  Loaded<T> loaded;
  loaded.diagnostics = std::move(outcome.diagnostics);
  loaded.safety_warning = std::move(safety_warning);
  if (outcome.value) {
    loaded.value.emplace(std::move(*outcome.value));
  } else {
    loaded.failure_exit = kExitNo;
  }
  return loaded;
}

// The main file is read here first so that "cannot open" (exit 2) is told
// apart from "malformed" (exit 1) without parsing error texts.
template <class T>
std::optional<Loaded<T>> unreadable(const Outcome<FileContents>& file) {
  if (file.ok()) return std::nullopt;
  Loaded<T> loaded;
  loaded.failure_exit = kExitUsage;
  loaded.diagnostics = file.diagnostics;
  return loaded;
}

}  // namespace

Loaded<Store> load_store(const std::string& path) {
  auto file = read_config_file(path, kCommandSafety);
  if (auto failed = unreadable<Store>(file)) return std::move(*failed);
  return from_outcome<Store>(Store::parse(file.value->text, path), file.value->safety_warning);
}

Loaded<Config> load_conf(const std::string& path, const std::optional<std::string>& service) {
  auto file = read_config_file(path, kCommandSafety);
  if (auto failed = unreadable<Config>(file)) return std::move(*failed);
  if (service)
    return from_outcome<Config>(Config::load_for_service(path, *service, kCommandSafety),
                                file.value->safety_warning);
  return from_outcome<Config>(Config::parse(file.value->text, path, kCommandSafety),
                              file.value->safety_warning);
}

Diagnostic unsafe_file_warning(const std::string& path, const std::string& reason) {
  return make_warning(Location{path, 0, 0}, "pam_secstore would refuse this file: " + reason);
}

void print_diagnostics(std::ostream& out, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) out << d.str() << '\n';
}

void print_errors(std::ostream& out, const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error) out << d.str() << '\n';
}

}  // namespace secstore::cli
