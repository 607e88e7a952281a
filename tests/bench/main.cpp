// secstore-bench: what `make bench` runs. See tests/bench/README.md for what each
// figure means; the options are for the Makefile and for developers.
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "audit_switch.hpp"
#include "callgrind.hpp"
#include "library_bench.hpp"
#include "pam_rows.hpp"
#include "report.hpp"
#include "stats.hpp"
#include "store_generator.hpp"
#include "syscall_count.hpp"

namespace secstore::bench {
namespace {

constexpr std::uint64_t kSeed = 20260701;

struct Options {
  std::string module;   // pam_secstore.so, absolute
  std::string pam_cap;  // the peer's pam_cap.so, absolute
  std::string work = "build/bench";
  std::string json;
  std::string user = "daemon";
  std::string valgrind;  // empty: no instruction counts
  std::string strace;    // empty: no syscall counts
  std::vector<std::uint64_t> sizes = {1000, 100000, 1000000};
  std::uint64_t calls = 10000;
  bool audit_pass = true;
  bool nss_files_pass = true;
  // Modes other than the full run.
  std::optional<std::uint64_t> generate_store;
  std::string instrumented_row;
  std::uint64_t instrumented_calls = 100;
  std::uint64_t instrumented_warmup = 10;
};

const char* const kUsage =
    "usage: secstore-bench --module=PAM_SECSTORE_SO --pam-cap=PAM_CAP_SO [--work=DIR] [--json=FILE]\n"
    "                      [--user=NAME] [--sizes=1000,100000,1000000] [--calls=N] [--valgrind=PATH]\n"
    "                      [--strace=PATH] [--no-audit-pass] [--no-nss-files-pass]\n"
        "       secstore-bench --generate-store=LINES [--user=NAME]   (the store fixture, to stdout)\n";

bool parse_u64(const std::string& s, std::uint64_t& v) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  v = std::stoull(s);
  return true;
}

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
    else if (key == "--calls" && parse_u64(value, n) && n > 0) o.calls = n;
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
std::string confdir(const Options& o) { return o.work + "/pam.d"; }
std::string size_row_name(std::uint64_t lines) { return "secstore-" + std::to_string(lines); }

struct RowPlan {
  PamRow row;
  std::string what;
  std::string baseline;
};

// Every row of the run. The PAM rows' `what` says what is timed.
std::vector<RowPlan> plan_rows(const Options& o) {
  std::vector<RowPlan> plans;
  auto add = [&](std::string name, std::string service, PamOperation op, GrantCheck check, std::string what,
                 std::string baseline) {
    RowPlan p;
    p.row.name = std::move(name);
    p.row.service_text = std::move(service);
    p.row.operation = op;
    p.row.grant_check = check;
    p.row.max_calls = o.calls;
    p.row.min_calls = o.calls;
    p.row.warmup_calls = o.calls / 10;
    p.what = std::move(what);
    p.baseline = std::move(baseline);
    plans.push_back(std::move(p));
    return &plans.back();
  };
  add("permit-session", "session required pam_permit.so\n", PamOperation::OpenAndCloseSession, GrantCheck::None,
      "pam_permit; open+close", "");
  for (const std::uint64_t lines : o.sizes) {
    RowPlan* p = add(size_row_name(lines),
                     "session required pam_permit.so\nsession required " + o.module + " store=" +
                         store_path(o, lines) + " conf=" + conf_path(o) + "\n",
                     PamOperation::OpenAndCloseSession, GrantCheck::InheritableRaised,
                     "pam_permit + pam_secstore, " + std::to_string(lines) + "-line store; open+close",
                     "permit-session");
    for (const auto& role : session_role_names())
      p->row.expected_roles += (p->row.expected_roles.empty() ? "" : ",") + role;
    // Each open parses the whole store (today): bound the time, not the calls.
    if (lines >= 1000000) {
      p->row.warmup_calls = 1;
      p->row.min_calls = 10;
      p->row.time_budget_s = 45;
    } else if (lines >= 100000) {
      p->row.warmup_calls = 5;
      p->row.min_calls = 50;
      p->row.time_budget_s = 20;
    } else if (lines >= 10000) {
      p->row.min_calls = 500;
      p->row.time_budget_s = 20;
    }
  }
  // The module with nothing to parse: what an open costs besides reading the
  // store (configuration, NSS, capabilities, log), i.e. the floor a compiled
  // store index could approach. The user selector still grants the capability.
  add("secstore-empty",
      "session required pam_permit.so\nsession required " + o.module + " store=" + empty_store_path(o) +
          " conf=" + conf_path(o) + "\n",
      PamOperation::OpenAndCloseSession, GrantCheck::InheritableRaised,
      "pam_permit + pam_secstore, empty store; open+close", "permit-session");
  add("permit-setcred", "auth required pam_permit.so\n", PamOperation::EstablishAndDeleteCred, GrantCheck::None,
      "pam_permit; setcred establish+delete", "");
  add("pam_cap",
      "auth required pam_permit.so\nauth optional " + o.pam_cap + " config=" + pam_cap_conf_path(o) + "\n",
      PamOperation::EstablishAndDeleteCred, GrantCheck::InheritableRaised,
      "pam_permit + pam_cap (as Debian's profile: no options); setcred establish+delete", "permit-setcred");
  add("pam_cap-defer",
      "auth required pam_permit.so\nauth optional " + o.pam_cap + " config=" + pam_cap_conf_path(o) +
          " keepcaps defer\n",
      PamOperation::EstablishAndDeleteCred, GrantCheck::None,
      "pam_permit + pam_cap keepcaps defer (IAB applied at pam_end); setcred establish+delete", "permit-setcred");
  return plans;
}

bool write_file(const std::string& path, const std::string& text, std::string& error) {
  {
    std::ofstream out(path, std::ios::trunc | std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      error = "cannot write " + path + ": " + std::strerror(errno);
      return false;
    }
  }
  // The module refuses files writable by group or others (SPEC §4.5).
  if (chmod(path.c_str(), 0644) != 0) {
    error = "cannot chmod " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

std::optional<SessionSubject> subject_for(const std::string& user, std::string& error) {
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) {
    error = "user \"" + user + "\" does not exist here; pass --user=NAME of an existing account";
    return std::nullopt;
  }
  const group* gr = getgrgid(pw->pw_gid);
  if (gr == nullptr) {
    error = "the primary group of \"" + user + "\" (gid " + std::to_string(pw->pw_gid) + ") has no name";
    return std::nullopt;
  }
  return SessionSubject{user, gr->gr_name};
}

MachineInfo machine_info() {
  MachineInfo m;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0 && m.cpu.empty()) m.cpu = line.substr(line.find(':') + 2);
  m.cpus = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  utsname u{};
  if (uname(&u) == 0) m.kernel = u.release;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  m.memory = std::to_string((pages * page + (1L << 29)) >> 30) + " GiB RAM";
  return m;
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

int run_instrumented(const Options& o) {
  for (const auto& p : plan_rows(o)) {
    if (p.row.name != o.instrumented_row) continue;
    std::string error;
    const int rc = run_pam_row_instrumented(p.row, confdir(o), o.user, o.instrumented_warmup, o.instrumented_calls,
                                            error);
    if (rc != 0) std::cerr << "secstore-bench: " << p.row.name << ": " << error << "\n";
    return rc;
  }
  std::cerr << "secstore-bench: no row named \"" << o.instrumented_row << "\"\n";
  return 2;
}

void progress(const std::string& what) { std::cerr << "bench: " << what << std::endl; }

int run_all(const Options& o, const std::string& command) {
  const std::uint64_t started = now_ns();
  std::string error;
  const auto subject = subject_for(o.user, error);
  if (!subject) {
    std::cerr << "secstore-bench: " << error << "\n";
    return 2;
  }
  mkdir(o.work.c_str(), 0755);
  mkdir(confdir(o).c_str(), 0755);

  BenchReport report;
  report.machine = machine_info();
  report.user = o.user;
  report.command = command;

  // Fixtures. The texts stay in memory for the library measurements.
  std::map<std::uint64_t, std::string> stores;
  for (const std::uint64_t lines : o.sizes) {
    progress("generating a " + std::to_string(lines) + "-line store");
    stores[lines] = generate_store(lines, *subject, kSeed);
    if (!write_file(store_path(o, lines), stores[lines], error)) {
      std::cerr << "secstore-bench: " << error << "\n";
      return 2;
    }
    report.sizes.push_back(SizeRow{lines, stores[lines].size(), size_row_name(lines)});
  }
  if (!write_file(empty_store_path(o), "", error) || !write_file(conf_path(o), generate_conf(*subject), error) ||
      !write_file(pam_cap_conf_path(o), generate_pam_cap_conf(*subject), error)) {
    std::cerr << "secstore-bench: " << error << "\n";
    return 2;
  }

  const auto plans = plan_rows(o);
  set_audit_enabled(false);
  for (const auto& p : plans) {
    progress("timing " + p.row.name);
    report.rows.push_back(MeasuredRow{p.row.name, p.what, p.baseline, run_pam_row(p.row, confdir(o), o.user)});
  }

  if (o.audit_pass) {
    set_audit_enabled(true);
    for (const auto& p : plans) {
      if (p.row.name != "permit-session" && p.row.name != size_row_name(o.sizes.front()) &&
          p.row.name != "permit-setcred" && p.row.name != "pam_cap")
        continue;
      progress("timing " + p.row.name + " with libpam's audit write");
      report.rows_with_audit.push_back(
          MeasuredRow{p.row.name, p.what, p.baseline, run_pam_row(p.row, confdir(o), o.user)});
    }
    set_audit_enabled(false);
  }

  if (o.nss_files_pass) {
    if (!write_file(nsswitch_files_path(o), "passwd: files\ngroup: files\nshadow: files\n", error)) {
      std::cerr << "secstore-bench: " << error << "\n";
      return 2;
    }
    for (auto p : plans) {
      if (p.row.name != "permit-session" && p.row.name != size_row_name(o.sizes.front()) &&
          p.row.name != "secstore-empty" && p.row.name != "permit-setcred" && p.row.name != "pam_cap")
        continue;
      progress("timing " + p.row.name + " with NSS from files only");
      p.row.nsswitch_override = nsswitch_files_path(o);
      report.rows_nss_files.push_back(
          MeasuredRow{p.row.name, p.what, p.baseline, run_pam_row(p.row, confdir(o), o.user)});
    }
  }

  const SessionIdentity who{false, subject->user, {subject->group}};
  const auto paths = generate_paths(4096, kSeed + 1);
  for (const std::uint64_t lines : o.sizes) {
    progress("parsing the " + std::to_string(lines) + "-line store in-process");
    std::optional<Store> store;
    report.parses.push_back(measure_parse(stores[lines], lines, lines >= 1000000 ? 0 : 1.0, store));
    stores[lines].clear();
    stores[lines].shrink_to_fit();
    if (store && (lines == o.sizes.front() || lines == o.sizes.back())) {
      progress("path checks on the " + std::to_string(lines) + "-line store");
      report.path_checks.emplace_back(lines, measure_path_checks(*store, who, paths, 2.0));
    }
  }

  // The bench re-runs itself for one row under valgrind or strace.
  const std::vector<std::string> self_args = [&] {
    std::string sizes;
    for (auto l : o.sizes) sizes += (sizes.empty() ? "" : ",") + std::to_string(l);
    return std::vector<std::string>{self_exe(),          "--module=" + o.module, "--pam-cap=" + o.pam_cap,
                                    "--work=" + o.work,  "--user=" + o.user,     "--sizes=" + sizes};
  }();
  auto row_args = [&](const std::string& name, std::uint64_t warmup) {
    auto args = self_args;
    args.push_back("--instrumented-row=" + name);
    args.push_back("--instrumented-warmup=" + std::to_string(warmup));
    return args;
  };

  if (o.valgrind.empty()) {
    report.callgrind_note = "skipped: valgrind not found";
  } else {
    struct Counted {
      std::string name, baseline;
      std::uint64_t warmup, calls;
    };
    std::vector<Counted> counted = {{"permit-session", "", 10, 200},
                                    {size_row_name(o.sizes.front()), "permit-session", 10, 50},
                                    {"secstore-empty", "permit-session", 10, 200},
                                    {"permit-setcred", "", 10, 200},
                                    {"pam_cap", "permit-setcred", 10, 200},
                                    {"pam_cap-defer", "permit-setcred", 10, 200}};
    for (const std::uint64_t lines : o.sizes)
      if (lines != o.sizes.front() && lines <= 100000) counted.push_back({size_row_name(lines), "permit-session", 1, 3});
    for (const auto& c : counted) {
      progress("counting instructions: " + c.name);
      auto args = row_args(c.name, c.warmup);
      args.push_back("--instrumented-calls=" + std::to_string(c.calls));
      report.instructions.push_back(CountedRow{
          c.name, c.baseline, count_instructions(o.valgrind, o.work + "/callgrind." + c.name + ".out", args, c.calls)});
    }
  }

  if (o.strace.empty()) {
    report.strace_note = "skipped: strace not found";
  } else {
    for (const std::string& name : {std::string("permit-session"), size_row_name(o.sizes.front()),
                                    std::string("secstore-empty"), std::string("permit-setcred"),
                                    std::string("pam_cap"), std::string("pam_cap-defer")}) {
      progress("counting system calls: " + name);
      report.syscalls.emplace_back(
          name, count_syscalls(o.strace, o.work + "/strace." + name, row_args(name, 1), 10, 110));
    }
  }

  report.seconds = static_cast<double>(now_ns() - started) / 1e9;
  const auto verdicts = judge(report);
  print_report(report, verdicts, std::cout);
  if (!o.json.empty()) {
    if (!write_file(o.json, to_json(report, verdicts), error)) {
      std::cerr << "secstore-bench: " << error << "\n";
      return 2;
    }
    std::cout << "JSON: " << o.json << "\n";
  }
  // Broken rows mean the bench itself failed; missed targets do not.
  bool broken = false;
  for (const auto& r : report.rows) broken |= !r.result.ok;
  for (const auto& p : report.parses) broken |= !p.ok;
  for (const auto& [lines, pc] : report.path_checks) broken |= !pc.ok;
  for (const auto& c : report.instructions) broken |= !c.count.ok;
  for (const auto& [name, c] : report.syscalls) broken |= !c.ok;
  if (broken) std::cout << "bench: some measurements are BROKEN (see above)\n";
  return broken ? 1 : 0;
}

}  // namespace
}  // namespace secstore::bench

int main(int argc, char** argv) {
  using namespace secstore::bench;
  Options o;
  std::string error;
  if (!parse_options(argc, argv, o, error)) {
    std::cerr << "secstore-bench: " << error << "\n" << kUsage;
    return 2;
  }
  if (o.generate_store) {
    error.clear();
    auto subject = subject_for(o.user, error);
    if (!subject) subject = SessionSubject{o.user, o.user};
    std::cout << generate_store(*o.generate_store, *subject, kSeed);
    return 0;
  }
  if (!o.instrumented_row.empty()) return run_instrumented(o);
  if (o.module.empty() || o.pam_cap.empty()) {
    std::cerr << "secstore-bench: --module and --pam-cap are required\n" << kUsage;
    return 2;
  }
  if (geteuid() != 0) {
    std::cout << "bench: SKIPPED: it needs root (the module and pam_cap raise capabilities and read root-owned"
                 " files)\n";
    return 0;
  }
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  return run_all(o, command);
}
