// `secstore check`: every error and warning of the store, the configuration
// (with its includes and per-service overrides), and what pam_secstore would
// refuse (unsafe files, unknown groups). Diagnostics go to stderr as
// file:line:col; one summary line per file goes to stdout.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "commands.hpp"
#include "loading.hpp"
#include "options.hpp"
#include "secstore/file.hpp"
#include "secstore/nss.hpp"

namespace secstore::cli {
namespace {

constexpr OptionSpec kOptions[] = {{"store", true}, {"conf", true}, {"help", false}};

// Printing each diagnostic once: the override files are loaded together with
// the main file, whose findings are already out.
class Reporter {
 public:
  explicit Reporter(const Io& io) : io_(io) {}

  // Prints the new diagnostics of one checked file and its summary line;
  // returns the exit code this file deserves.
  int report(const std::string& file, int failure_exit, const std::vector<Diagnostic>& found) {
    unsigned errors = 0, warnings = 0;
    for (const auto& d : found) {
      if (!printed_.insert(d.str()).second) continue;
      io_.err << d.str() << '\n';
      ++(d.severity == Severity::Error ? errors : warnings);
    }
    if (failure_exit == kExitUsage) {
      io_.out << file << ": cannot be read\n";
      return kExitUsage;
    }
    bool failed = failure_exit != 0 || errors != 0;
    io_.out << file << ": " << (failed ? "invalid" : "ok");
    if (errors != 0) io_.out << ", " << errors << (errors == 1 ? " error" : " errors");
    if (warnings != 0) io_.out << ", " << warnings << (warnings == 1 ? " warning" : " warnings");
    io_.out << '\n';
    return failed ? kExitNo : kExitOk;
  }

 private:
  const Io& io_;
  std::set<std::string> printed_;
};

int check_store(const std::string& path, Reporter& reporter) {
  Loaded<Store> store = load_store(path);
  std::vector<Diagnostic> found;
  if (!store.safety_warning.empty()) found.push_back(unsafe_file_warning(path, store.safety_warning));
  found.insert(found.end(), store.diagnostics.begin(), store.diagnostics.end());
  return reporter.report(path, store.failure_exit, found);
}

// What pam_secstore would trip over in a loaded configuration beyond its
// syntax: unsafe included files, lint findings, groups this host lacks.
std::vector<Diagnostic> conf_findings(const Config& conf, const std::string& main_file) {
  std::vector<Diagnostic> found;
  for (const auto& file : conf.files_read()) {
    if (file == main_file) continue;
    auto read = read_config_file(file, kCommandSafety);
    if (read.ok() && !read.value->safety_warning.empty())
      found.push_back(unsafe_file_warning(file, read.value->safety_warning));
  }
  auto lint = conf.lint();
  found.insert(found.end(), lint.begin(), lint.end());
  for (const auto& [group, where] : conf.group_references())
    if (!lookup_group(group))
      found.push_back(make_warning(
          where, "group \"" + group +
                     "\" does not exist on this host"));
  return found;
}

int check_conf(const std::string& path, const std::optional<std::string>& service,
               const std::string& shown_file, Reporter& reporter) {
  Loaded<Config> conf = load_conf(path, service);
  std::vector<Diagnostic> found;
  if (!conf.safety_warning.empty()) found.push_back(unsafe_file_warning(path, conf.safety_warning));
  found.insert(found.end(), conf.diagnostics.begin(), conf.diagnostics.end());
  if (conf.value) {
    auto more = conf_findings(*conf.value, path);
    found.insert(found.end(), more.begin(), more.end());
  }
  return reporter.report(shown_file, conf.failure_exit, found);
}

// SERVICE names of DIR/secstore.d/SERVICE.conf beside the configuration, in
// name order, dot-files skipped (as the module would look them up).
std::vector<std::string> override_services(const std::string& conf_path) {
  namespace fs = std::filesystem;
  std::vector<std::string> services;
  std::error_code ec;
  fs::path dir = fs::path(conf_path).parent_path() / "secstore.d";
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.' || it->path().extension() != ".conf") continue;
    services.push_back(it->path().stem().string());
  }
  std::sort(services.begin(), services.end());
  return services;
}

}  // namespace

int run_check(const Args& args, const Io& io) {
  auto parsed = parse_command_options(args, kOptions, io);
  if (!parsed.options) return parsed.exit_code;
  const auto& opts = *parsed.options;
  std::string store_path = opts.value("store").value_or(SECSTORE_DEFAULT_STORE);
  std::string conf_path = opts.value("conf").value_or(SECSTORE_DEFAULT_CONF);

  Reporter reporter(io);
  int worst = check_store(store_path, reporter);
  int conf_result = check_conf(conf_path, std::nullopt, conf_path, reporter);
  worst = std::max(worst, conf_result);
  // Overrides are loaded on top of the main file; if it cannot be read,
  // checking them would only repeat that.
  if (conf_result == kExitUsage) return worst;
  for (const auto& service : override_services(conf_path)) {
    std::string file =
        (std::filesystem::path(conf_path).parent_path() / "secstore.d" / (service + ".conf"))
            .string();
    worst = std::max(worst, check_conf(conf_path, service, file, reporter));
  }
  return worst;
}

}  // namespace secstore::cli
