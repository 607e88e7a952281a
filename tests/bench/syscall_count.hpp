// System calls per measured call, from `strace -f -c`: like instruction
// counts they do not move with load, and in a login path the kernel work
// (NSS file walks, prctl probes, socket attempts) is much of the cost.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace secstore::bench {

struct SyscallCount {
  bool ok = false;
  std::string error;
  double per_call = 0;
  // The biggest contributors, per call, largest first.
  std::vector<std::pair<std::string, double>> top;
};

// Runs PROGRAM ARGS... under strace twice, once with `--instrumented-calls=`
// `few` and once with `many`, and divides the difference by many - few, so
// process start-up and PAM handle set-up cancel out.
SyscallCount count_syscalls(const std::string& strace, const std::string& out_prefix,
                            const std::vector<std::string>& program_and_args, std::uint64_t few,
                            std::uint64_t many);

}  // namespace secstore::bench
