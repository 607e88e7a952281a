// Everything one `make bench` run measured, printed as a table for people
// and written as JSON (build/bench.json) for tools, with the target verdicts.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "callgrind.hpp"
#include "library_bench.hpp"
#include "pam_rows.hpp"
#include "syscall_count.hpp"

namespace secstore::bench {

struct MeasuredRow {
  std::string name;
  std::string what;      // one line: the stack and the operation
  std::string baseline;  // the row whose median is subtracted for "added", or ""
  RowResult result;
};

struct SizeRow {
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  std::string row;  // name of the MeasuredRow holding the figures
};

struct CountedRow {
  std::string name;
  std::string baseline;
  InstructionCount count;
};

struct MachineInfo {
  std::string cpu;
  unsigned cpus = 0;
  std::string kernel;
  std::string memory;
};

struct BenchReport {
  MachineInfo machine;
  std::string user;
  std::string groups;     // the session user's groups, as NSS gives them in the run
  std::string sssd_note;  // why there is no sssd row, if there is none
  std::string command;
  std::vector<MeasuredRow> rows;             // audit write stubbed out
  std::vector<MeasuredRow> rows_with_audit;  // libpam's real audit_open
  std::vector<MeasuredRow> rows_nss_files;   // audit stubbed, NSS "files" only
  std::vector<SizeRow> sizes;                // first one is the reference size
  std::vector<ParseThroughput> parses;
  std::vector<std::pair<std::uint64_t, PathCheckThroughput>> path_checks;  // by store lines
  std::vector<CountedRow> instructions;
  std::string callgrind_note;  // why instruction counts are missing, if they are
  std::vector<std::pair<std::string, SyscallCount>> syscalls;  // by row name
  std::string strace_note;
  double seconds = 0;
};

struct TargetVerdict {
  std::string name;
  bool known = false;  // false when an input row is missing or broken
  bool pass = false;
  std::string detail;
};

std::vector<TargetVerdict> judge(const BenchReport& report);

void print_report(const BenchReport& report, const std::vector<TargetVerdict>& verdicts, std::ostream& out);
std::string to_json(const BenchReport& report, const std::vector<TargetVerdict>& verdicts);

}  // namespace secstore::bench
