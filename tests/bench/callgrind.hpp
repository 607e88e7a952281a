// Instruction counts from valgrind's callgrind: unlike wall time they do not
// move with the noise of a shared 2-core box, so they show small changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace secstore::bench {

struct InstructionCount {
  bool ok = false;
  std::string error;
  std::uint64_t calls = 0;
  double instructions_per_call = 0;
  // What the row's module's own hooks cost (pam_secstore's session hooks,
  // pam_cap's setcred), all they call included but the name service and
  // libpam; and what their name-service calls cost. Set when the profile has
  // the hooks in it.
  std::optional<double> module_own_per_call;
  std::optional<double> name_service_per_call;
};

// Runs `valgrind --tool=callgrind --collect-atstart=no ... PROGRAM ARGS...`
// (the program switches collection on around its `calls` measured calls),
// then reads the total Ir from the output file, and the module's own share
// from its call graph.
InstructionCount count_instructions(const std::string& valgrind, const std::string& out_file,
                                    const std::vector<std::string>& program_and_args, std::uint64_t calls);

}  // namespace secstore::bench
