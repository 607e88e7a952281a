// secstore-bench's command line, and where the run keeps its fixtures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace secstore::bench {

struct Options {
  std::string module;   // pam_secstore.so, absolute
  std::string pam_cap;  // the peer's pam_cap.so, absolute
  std::string work = "build/bench";
  std::string json;
  std::string user = "daemon";
  std::string valgrind;  // empty: no instruction counts
  std::string strace;    // empty: no syscall counts
  // The largest store one load may read is 16 MiB (SPEC §3): 200,000
  // generated lines are 13.3 MB, 1,000,000 would be 68 MB.
  std::vector<std::uint64_t> sizes = {1000, 100000, 200000};
  std::uint64_t calls = 10000;
  // The timed calls of each row are split over this many rounds, every row
  // once a round, so that a slow minute on a shared box falls on all rows.
  std::uint64_t rounds = 5;
  bool audit_pass = true;
  bool nss_files_pass = true;
  // The user's groups as the name service gives them (a directory user in
  // directory groups), not the two the private /etc adds.
  bool directory_groups = false;
  // Modes other than the full run.
  std::optional<std::uint64_t> generate_store;
  std::string instrumented_row;
  std::uint64_t instrumented_calls = 100;
  std::uint64_t instrumented_warmup = 10;
};

extern const char* const kUsage;

// `--key=value` arguments; false with `error` set on anything unknown.
bool parse_options(int argc, char** argv, Options& o, std::string& error);

// Fixture files under --work (root-owned 0644, as the module demands).
std::string store_path(const Options& o, std::uint64_t lines);
std::string empty_store_path(const Options& o);
std::string conf_path(const Options& o);
std::string pam_cap_conf_path(const Options& o);
std::string nsswitch_files_path(const Options& o);
std::string etc_copy_path(const Options& o);  // the private /etc
std::string confdir(const Options& o);  // the private pam.d
std::string size_row_name(std::uint64_t lines);
// The same store with its compiled index (secstore compile) beside it.
std::string indexed_store_path(const Options& o, std::uint64_t lines);
std::string indexed_row_name(std::uint64_t lines);

}  // namespace secstore::bench
