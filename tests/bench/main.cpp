// secstore-bench: what `make bench` runs. See tests/bench/README.md for what
// each figure means; the options are for the Makefile and for developers.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "audit_switch.hpp"
#include "callgrind.hpp"
#include "host.hpp"
#include "library_bench.hpp"
#include "options.hpp"
#include "pam_rows.hpp"
#include "report.hpp"
#include "row_plan.hpp"
#include "stats.hpp"
#include "store_generator.hpp"
#include "secstore/policy.hpp"
#include "syscall_count.hpp"

namespace secstore::bench {
namespace {

constexpr std::uint64_t kSeed = 20260701;

void progress(const std::string& what) { std::cerr << "bench: " << what << std::endl; }

int run_instrumented(const Options& o) {
  std::string lookup_error;
  const auto subject = subject_for(o.user, lookup_error);
  if (!subject) {
    std::cerr << "secstore-bench: " << lookup_error << "\n";
    return 2;
  }
  for (const auto& p : plan_rows(o, *subject)) {
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

// Writes every fixture; returns the store texts (kept for the library part).
std::optional<std::map<std::uint64_t, std::string>> write_fixtures(const Options& o, const SessionSubject& subject,
                                                                   BenchReport& report, std::string& error) {
  mkdir(o.work.c_str(), 0755);
  mkdir(confdir(o).c_str(), 0755);
  std::map<std::uint64_t, std::string> stores;
  for (const std::uint64_t lines : o.sizes) {
    progress("generating a " + std::to_string(lines) + "-line store");
    stores[lines] = generate_store(lines, subject, kSeed);
    if (!write_file(store_path(o, lines), stores[lines], error)) return std::nullopt;
    // The same text with its compiled index: what an open costs when the
    // module does not parse the store.
    if (!write_file(indexed_store_path(o, lines), stores[lines], error)) return std::nullopt;
    report.sizes.push_back(SizeRow{lines, stores[lines].size(), size_row_name(lines)});
  }
  if (!write_file(empty_store_path(o), "", error) || !write_file(conf_path(o), generate_conf(subject), error) ||
      !write_file(pam_cap_conf_path(o), generate_pam_cap_conf(subject), error) ||
      !write_file(nsswitch_files_path(o), "passwd: files\ngroup: files\nshadow: files\n", error))
    return std::nullopt;
  // Compiled as `secstore compile --store S --conf C` does: the store and
  // the configuration in one index (SPEC §3), after both are written.
  for (const std::uint64_t lines : o.sizes) {
    auto compiled = compile_policy(PolicyFiles{indexed_store_path(o, lines), conf_path(o), ""}, FileSafety{true});
    if (!compiled.ok()) {
      error = "cannot compile the index of " + indexed_store_path(o, lines) +
              (compiled.first_error() ? ": " + compiled.first_error()->str() : std::string());
      return std::nullopt;
    }
  }
  return stores;
}

// Rows whose opens are slow (text stores of 100,000 lines and more) run once
// with their time budget; every other row runs once a round, its calls split
// over the rounds, and its samples are merged.
void time_rows(const Options& o, const std::vector<RowPlan>& plans, BenchReport& report) {
  set_audit_enabled(false);
  std::vector<std::vector<std::uint64_t>> samples(plans.size());
  std::vector<RowResult> results(plans.size());
  for (std::uint64_t round = 0; round < o.rounds; ++round) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      PamRow row = plans[i].row;
      const bool budgeted = row.time_budget_s < 1e8;
      if (budgeted && round > 0) continue;
      if (!budgeted) {
        row.max_calls = std::max<std::uint64_t>(1, row.max_calls / o.rounds);
        row.min_calls = std::max<std::uint64_t>(1, row.min_calls / o.rounds);
        if (round > 0) row.warmup_calls = std::max<std::uint64_t>(1, row.warmup_calls / o.rounds);
      }
      progress("timing " + row.name + " (round " + std::to_string(round + 1) + " of " + std::to_string(o.rounds) +
               ")");
      RowResult r = run_pam_row(row, confdir(o), o.user);
      if (!r.ok) {
        results[i] = std::move(r);
        continue;
      }
      if (!results[i].error.empty()) continue;  // an earlier round broke
      samples[i].insert(samples[i].end(), r.samples_ns.begin(), r.samples_ns.end());
      results[i].ok = true;
    }
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (results[i].ok) results[i].stats = summarize(samples[i]);
    report.rows.push_back(MeasuredRow{plans[i].row.name, plans[i].what, plans[i].baseline, std::move(results[i])});
  }
  auto is_main_row = [&](const std::string& name) {
    return name == "permit-session" || name == size_row_name(o.sizes.front()) ||
           name == indexed_row_name(o.sizes.front()) || name == "secstore-empty" || name == "permit-setcred" ||
           name == "pam_cap-defer" || name == "nss-groups" || name == "contract-floor";
  };
  if (o.audit_pass) {
    set_audit_enabled(true);
    for (const auto& p : plans) {
      if (!is_main_row(p.row.name) || p.row.name == "secstore-empty" || p.row.name == "nss-groups" ||
          p.row.name == "contract-floor")
        continue;
      progress("timing " + p.row.name + " with libpam's audit write");
      report.rows_with_audit.push_back(
          MeasuredRow{p.row.name, p.what, p.baseline, run_pam_row(p.row, confdir(o), o.user)});
    }
    set_audit_enabled(false);
  }
  if (o.nss_files_pass) {
    for (auto p : plans) {
      if (!is_main_row(p.row.name)) continue;
      progress("timing " + p.row.name + " with NSS from files only");
      p.row.nsswitch_override = nsswitch_files_path(o);
      report.rows_nss_files.push_back(
          MeasuredRow{p.row.name, p.what, p.baseline, run_pam_row(p.row, confdir(o), o.user)});
    }
  }
}

// Parse throughput on every store; path checks on the smallest and largest.
void measure_library(const Options& o, const SessionSubject& subject, std::map<std::uint64_t, std::string>& stores,
                     BenchReport& report) {
  const auto who = secstore::SessionSubject::named(subject.user, subject.groups);
  const auto paths = generate_paths(4096, kSeed + 1);
  for (const std::uint64_t lines : o.sizes) {
    progress("parsing the " + std::to_string(lines) + "-line store in-process");
    std::optional<Store> store;
    report.parses.push_back(measure_parse(stores[lines], lines, lines >= 1000000 ? 0 : 1.0, store));
    stores[lines] = std::string();  // the 1M-line text is 68 MB
    if (store && (lines == o.sizes.front() || lines == o.sizes.back())) {
      progress("path checks on the " + std::to_string(lines) + "-line store");
      report.path_checks.emplace_back(lines, measure_path_checks(*store, who, paths, 2.0));
    }
  }
}

// The bench re-runs itself for one row under valgrind or strace.
std::vector<std::string> self_row_args(const Options& o, const std::string& row, std::uint64_t warmup) {
  std::string sizes;
  for (auto l : o.sizes) sizes += (sizes.empty() ? "" : ",") + std::to_string(l);
  return {self_exe(),
          "--module=" + o.module,
          "--pam-cap=" + o.pam_cap,
          "--work=" + o.work,
          "--user=" + o.user,
          "--sizes=" + sizes,
          "--instrumented-row=" + row,
          "--instrumented-warmup=" + std::to_string(warmup)};
}

void count_instructions_per_row(const Options& o, BenchReport& report) {
  if (o.valgrind.empty()) {
    report.callgrind_note = "skipped: valgrind not found";
    return;
  }
  struct Counted {
    std::string name, baseline;
    std::uint64_t warmup, calls;
  };
  std::vector<Counted> counted = {{"permit-session", "", 10, 200},
                                  {size_row_name(o.sizes.front()), "permit-session", 10, 50},
                                  {"secstore-empty", "permit-session", 10, 200},
                                  {"nss-groups", "", 10, 200},
                                  {"contract-floor", "", 10, 200},
                                  {"permit-setcred", "", 10, 200},
                                  {"pam_cap", "permit-setcred", 10, 200},
                                  {"pam_cap-defer", "permit-setcred", 10, 200}};
  // The module's own share (everything but libpam and the name service) is
  // read from the indexed rows' call graphs, so they are counted first.
  // Under callgrind a 1M-line open takes minutes: sizes up to 100k only.
  for (const std::uint64_t lines : o.sizes)
    if (lines != o.sizes.front() && lines <= 100000) counted.push_back({size_row_name(lines), "permit-session", 1, 3});
  // Indexed opens read no text: every size is cheap under callgrind.
  for (const std::uint64_t lines : o.sizes) counted.push_back({indexed_row_name(lines), "permit-session", 10, 50});
  for (const auto& c : counted) {
    progress("counting instructions: " + c.name);
    auto args = self_row_args(o, c.name, c.warmup);
    args.push_back("--instrumented-calls=" + std::to_string(c.calls));
    report.instructions.push_back(CountedRow{
        c.name, c.baseline, count_instructions(o.valgrind, o.work + "/callgrind." + c.name + ".out", args, c.calls)});
  }
}

void count_syscalls_per_row(const Options& o, BenchReport& report) {
  if (o.strace.empty()) {
    report.strace_note = "skipped: strace not found";
    return;
  }
  for (const std::string& name : {std::string("permit-session"), size_row_name(o.sizes.front()),
                                  indexed_row_name(o.sizes.front()), std::string("secstore-empty"), std::string("permit-setcred"),
                                  std::string("pam_cap"), std::string("pam_cap-defer")}) {
    progress("counting system calls: " + name);
    report.syscalls.emplace_back(name,
                                 count_syscalls(o.strace, o.work + "/strace." + name, self_row_args(o, name, 1), 10, 110));
  }
}

// Broken measurements mean the bench itself failed; missed targets do not.
bool any_broken(const BenchReport& report) {
  bool broken = false;
  for (const auto& r : report.rows) broken |= !r.result.ok;
  for (const auto& p : report.parses) broken |= !p.ok;
  for (const auto& [lines, pc] : report.path_checks) broken |= !pc.ok;
  for (const auto& c : report.instructions) broken |= !c.count.ok;
  for (const auto& [name, c] : report.syscalls) broken |= !c.ok;
  return broken;
}

int run_all(const Options& o, const std::string& command) {
  const std::uint64_t started = now_ns();
  std::string error;
  mkdir(o.work.c_str(), 0755);
  // A directory user's groups come from the directory: adding local ones
  // would time files, not the directory.
  if (!o.directory_groups && !join_bench_groups(o.user, etc_copy_path(o), error)) {
    std::cerr << "secstore-bench: " << error << "\n";
    return 2;
  }
  const auto subject = subject_for(o.user, error);
  if (!subject) {
    std::cerr << "secstore-bench: " << error << "\n";
    return 2;
  }
  BenchReport report;
  for (const auto& g : subject->groups) report.groups += (report.groups.empty() ? "" : ", ") + g;
  report.sssd_note = sssd_note(o.directory_groups);
  report.machine = machine_info();
  report.user = o.user;
  report.command = command;

  auto stores = write_fixtures(o, *subject, report, error);
  if (!stores) {
    std::cerr << "secstore-bench: " << error << "\n";
    return 2;
  }
  time_rows(o, plan_rows(o, *subject), report);
  measure_library(o, *subject, *stores, report);
  count_instructions_per_row(o, report);
  count_syscalls_per_row(o, report);
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
  if (any_broken(report)) {
    std::cout << "bench: some measurements are BROKEN (see above)\n";
    return 1;
  }
  return 0;
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
    auto subject = subject_for(o.user, error);
    if (!subject) subject = SessionSubject{o.user, o.user, {o.user}};
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
