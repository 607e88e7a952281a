#include "stats.hpp"

#include <time.h>

#include <algorithm>
#include <numeric>

namespace secstore::bench {

namespace {

double at_rank(std::vector<std::uint64_t>& v, double fraction) {
  // Nearest-rank percentile: the smallest sample with at least `fraction`
  // of the samples at or below it.
  auto rank = static_cast<std::size_t>(fraction * static_cast<double>(v.size()));
  if (rank >= v.size()) rank = v.size() - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank), v.end());
  return static_cast<double>(v[rank]) / 1000.0;
}

}  // namespace

CallStats summarize(std::vector<std::uint64_t>& samples_ns) {
  CallStats s;
  if (samples_ns.empty()) return s;
  s.calls = samples_ns.size();
  const double total = std::accumulate(samples_ns.begin(), samples_ns.end(), 0.0);
  s.mean_us = total / static_cast<double>(samples_ns.size()) / 1000.0;
  s.min_us = static_cast<double>(*std::min_element(samples_ns.begin(), samples_ns.end())) / 1000.0;
  s.median_us = at_rank(samples_ns, 0.5);
  s.p99_us = at_rank(samples_ns, 0.99);
  return s;
}

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace secstore::bench
