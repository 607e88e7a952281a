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

PathCheckThroughput measure_path_checks(const Store& store, const SessionIdentity& who,
                                        const std::vector<std::string>& paths, double min_seconds) {
  PathCheckThroughput r;
  const RoleSet roles = store.resolve(who);
  r.roles = roles.ids.size();
  r.distinct_paths = paths.size();
  if (paths.empty()) {
    r.error = "no paths to check";
    return r;
  }
  // Batches keep the clock out of the inner loop.
  constexpr std::size_t kBatch = 4096;
  std::uint32_t sink = 0;
  std::size_t next = 0;
  const std::uint64_t started = now_ns();
  std::uint64_t elapsed = 0;
  do {
    for (std::size_t i = 0; i < kBatch; ++i) {
      const PathPermissions p = store.path_permissions(roles, paths[next]);
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
  r.ok = true;
  return r;
}

}  // namespace secstore::bench
