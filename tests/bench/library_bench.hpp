// libsecstore on its own, no PAM: how fast a store parses, and how many
// path-permission questions one core answers for the bench session.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "secstore/session.hpp"
#include "secstore/store.hpp"

namespace secstore::bench {

struct ParseThroughput {
  bool ok = false;
  std::string error;
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  std::uint64_t parses = 0;
  double seconds_per_parse = 0;
  double mb_per_s = 0;  // MB = 10^6 bytes
};

// Parses `text` repeatedly for at least `min_seconds` (at least once).
// On success, `parsed` holds the store for the checks below.
ParseThroughput measure_parse(const std::string& text, std::uint64_t lines, double min_seconds,
                              std::optional<Store>& parsed);

// Checks per second over one path list, one way of asking.
struct CheckRate {
  std::uint64_t checks = 0;
  double checks_per_s = 0;
  std::uint64_t granted = 0;  // how many checks found any permission (proves work was done)
};

struct PathCheckThroughput {
  bool ok = false;
  std::string error;
  std::size_t roles = 0;  // the session's roles after closure
  std::size_t distinct_paths = 0;
  // PathChecker: compiled once for the session (not timed with the checks),
  // then asked for every path. How long compiling takes and what it holds.
  double checker_build_us = 0;
  std::size_t checker_entries = 0;
  CheckRate checker;
  // Store::path_permissions per call, no checker: what a one-off question costs.
  CheckRate one_off;
};

// One thread, for the session `who` resolves to, over `paths` round-robin:
// PathChecker::permissions for at least `min_seconds`, then
// Store::path_permissions for as long. Broken (not ok) if the two disagree on
// any path.
PathCheckThroughput measure_path_checks(const Store& store, const secstore::SessionSubject& who,
                                        const std::vector<std::string>& paths, double min_seconds);

}  // namespace secstore::bench
