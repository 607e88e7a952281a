// Per-call timings reduced to the figures the report shows.
#pragma once

#include <cstdint>
#include <vector>

namespace secstore::bench {

struct CallStats {
  std::uint64_t calls = 0;
  double median_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  double min_us = 0;
};

// `samples_ns` is reordered (partially sorted) in place.
CallStats summarize(std::vector<std::uint64_t>& samples_ns);

// Monotonic nanoseconds; the loops time each call individually so that the
// median and p99 come from real per-call samples, not from an average.
std::uint64_t now_ns();

}  // namespace secstore::bench
