// What every subcommand of `secstore` shares: the exit codes of SPEC §5, the
// streams it writes to, and how a usage error is reported.
#pragma once

#include <optional>
#include <string>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace secstore::cli {

// SPEC §5: 0 success/yes, 1 invalid/no, 2 usage or I/O error.
enum ExitCode : int { kExitOk = 0, kExitNo = 1, kExitUsage = 2 };

struct Io {
  std::ostream& out;
  std::ostream& err;
  std::string_view command;  // "check", "explain", ... for messages
};

// The synopsis of one subcommand (lines after "usage: "), or of all of them
// when `command` is empty.
std::string usage_text(std::string_view command);

// Prints "secstore COMMAND: REASON" and the command's usage to stderr, and
// returns kExitUsage, so callers can `return usage_error(io, "...")`.
int usage_error(const Io& io, std::string_view reason);

// Everything left to read on `fd`, or nullopt on a read error or when it is
// more than `max_bytes` (a file someone else can make huge or sparse).
std::optional<std::string> read_bounded(int fd, std::size_t max_bytes);

// Prints "secstore: error: MESSAGE" (not tied to a file) to stderr.
void print_error(const Io& io, std::string_view message);

using Args = std::vector<std::string>;

}  // namespace secstore::cli
