#include "options.hpp"

#include <sstream>

namespace secstore::bench {

const char* const kUsage =
    "usage: secstore-bench --module=PAM_SECSTORE_SO --pam-cap=PAM_CAP_SO [--work=DIR] [--json=FILE]\n"
    "                      [--user=NAME] [--sizes=1000,100000,200000] [--calls=N] [--rounds=N]\n"
    "                      [--valgrind=PATH]\n"
    "                      [--strace=PATH] [--no-audit-pass] [--no-nss-files-pass]\n"
    "                      [--directory-groups]\n"
    "       secstore-bench --generate-store=LINES [--user=NAME]   (the store fixture, to stdout)\n";

namespace {

bool parse_u64(const std::string& s, std::uint64_t& v) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  v = std::stoull(s);
  return true;
}

}  // namespace

bool parse_options(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    const std::string key = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    std::uint64_t n = 0;
    if (key == "--module") o.module = value;
    else if (key == "--pam-cap") o.pam_cap = value;
    else if (key == "--work") o.work = value;
    else if (key == "--json") o.json = value;
    else if (key == "--user") o.user = value;
    else if (key == "--valgrind") o.valgrind = value;
    else if (key == "--strace") o.strace = value;
    else if (key == "--no-audit-pass") o.audit_pass = false;
    else if (key == "--no-nss-files-pass") o.nss_files_pass = false;
    else if (key == "--directory-groups") o.directory_groups = true;
    else if (key == "--calls" && parse_u64(value, n) && n > 0) o.calls = n;
    else if (key == "--rounds" && parse_u64(value, n) && n > 0) o.rounds = n;
    else if (key == "--generate-store" && parse_u64(value, n)) o.generate_store = n;
    else if (key == "--instrumented-row") o.instrumented_row = value;
    else if (key == "--instrumented-calls" && parse_u64(value, n) && n > 0) o.instrumented_calls = n;
    else if (key == "--instrumented-warmup" && parse_u64(value, n)) o.instrumented_warmup = n;
    else if (key == "--sizes") {
      o.sizes.clear();
      std::istringstream list(value);
      std::string item;
      while (std::getline(list, item, ','))
        if (parse_u64(item, n) && n > 0) o.sizes.push_back(n);
        else {
          error = "--sizes: \"" + item + "\" is not a line count";
          return false;
        }
      if (o.sizes.empty()) {
        error = "--sizes: give at least one line count";
        return false;
      }
    } else {
      error = "unknown or malformed argument \"" + arg + "\"";
      return false;
    }
  }
  return true;
}

std::string store_path(const Options& o, std::uint64_t lines) {
  return o.work + "/store-" + std::to_string(lines) + ".store";
}
std::string empty_store_path(const Options& o) { return o.work + "/store-empty.store"; }
std::string conf_path(const Options& o) { return o.work + "/secstore.conf"; }
std::string pam_cap_conf_path(const Options& o) { return o.work + "/capability.conf"; }
std::string nsswitch_files_path(const Options& o) { return o.work + "/nsswitch-files.conf"; }
std::string etc_copy_path(const Options& o) { return o.work + "/etc"; }
std::string confdir(const Options& o) { return o.work + "/pam.d"; }
std::string size_row_name(std::uint64_t lines) { return "secstore-" + std::to_string(lines); }
std::string indexed_store_path(const Options& o, std::uint64_t lines) {
  return o.work + "/indexed-" + std::to_string(lines) + ".store";
}
std::string indexed_row_name(std::uint64_t lines) { return size_row_name(lines) + "-indexed"; }

}  // namespace secstore::bench
