#include "library_bench.hpp"

#include "stats.hpp"

namespace secstore::bench {

ParseThroughput measure_parse(const std::string& text, std::uint64_t lines, double min_seconds,
                              std::optional<Store>& parsed) {
  ParseThroughput r;
  r.lines = lines;
  r.bytes = text.size();
  const std::uint64_t started = now_ns();
  std::uint64_t elapsed = 0;
  do {
    Outcome<Store> out = Store::parse(text, "generated-" + std::to_string(lines) + ".store");
    if (!out.ok()) {
      const Diagnostic* e = out.first_error();
      r.error = e != nullptr ? e->str() : "the store was rejected without an error";
      return r;
    }
    parsed = std::move(*out.value);
    ++r.parses;
    elapsed = now_ns() - started;
  } while (static_cast<double>(elapsed) < min_seconds * 1e9);
  r.seconds_per_parse = static_cast<double>(elapsed) / 1e9 / static_cast<double>(r.parses);
  r.mb_per_s = static_cast<double>(r.bytes) / 1e6 / r.seconds_per_parse;
  r.ok = true;
  return r;
}

namespace {

// Asks `check` about `paths` round-robin for at least `min_seconds`.
template <class Check>
CheckRate time_checks(const std::vector<std::string>& paths, double min_seconds, Check check) {
  CheckRate r;
  // Batches keep the clock out of the inner loop.
  constexpr std::size_t kBatch = 4096;
  std::uint32_t sink = 0;
  std::size_t next = 0;
  const std::uint64_t started = now_ns();
  std::uint64_t elapsed = 0;
  do {
    for (std::size_t i = 0; i < kBatch; ++i) {
      const PathPermissions p = check(paths[next]);
      sink ^= p.bits;
      r.granted += p.empty() ? 0 : 1;
      if (++next == paths.size()) next = 0;
    }
    r.checks += kBatch;
    elapsed = now_ns() - started;
  } while (static_cast<double>(elapsed) < min_seconds * 1e9);
  // The sink is used so that the compiler cannot drop the calls.
  if (sink == 0xdeadbeef) r.granted += 1;
  r.checks_per_s = static_cast<double>(r.checks) / (static_cast<double>(elapsed) / 1e9);
  return r;
}

// Compiles the session's checker repeatedly for a fifth of a second (at
// least once): the time of one compile, and the last checker.
PathChecker timed_checker(const Store& store, const RoleSet& roles, double& build_us) {
  std::uint64_t builds = 0;
  const std::uint64_t started = now_ns();
  std::uint64_t elapsed = 0;
  PathChecker checker;
  do {
    checker = store.path_checker(roles);
    ++builds;
    elapsed = now_ns() - started;
  } while (elapsed < 200'000'000);
  build_us = static_cast<double>(elapsed) / 1e3 / static_cast<double>(builds);
  return checker;
}

}  // namespace

PathCheckThroughput measure_path_checks(const Store& store, const secstore::SessionSubject& who,
                                        const std::vector<std::string>& paths, double min_seconds) {
  PathCheckThroughput r;
  const RoleSet roles = store.resolve(who).roles;
  r.roles = roles.size();
  r.distinct_paths = paths.size();
  if (paths.empty()) {
    r.error = "no paths to check";
    return r;
  }
  const PathChecker checker = timed_checker(store, roles, r.checker_build_us);
  r.checker_entries = checker.entries();
  for (const auto& path : paths)
    if (checker.permissions(path) != store.path_permissions(roles, path)) {
      r.error = "PathChecker and Store::path_permissions disagree at \"" + path + "\"";
      return r;
    }
  r.checker = time_checks(paths, min_seconds, [&](const std::string& p) { return checker.permissions(p); });
  r.one_off = time_checks(paths, min_seconds, [&](const std::string& p) { return store.path_permissions(roles, p); });
  r.ok = true;
  return r;
}

}  // namespace secstore::bench
