// The subcommands of `secstore` (SPEC §5). Each lives in its own
// tools/cmd_NAME.cpp; main.cpp dispatches through kCommands, so adding a
// subcommand is one file plus one row in commands.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cli.hpp"

namespace secstore::cli {

// `args` are the arguments after the subcommand's name.
int run_check(const Args& args, const Io& io);
int run_explain(const Args& args, const Io& io);
int run_can(const Args& args, const Io& io);
// The permission names `can` takes (its --help; bash completion reads them).
std::string can_help();
int run_apply(const Args& args, const Io& io);
int run_edit(const Args& args, const Io& io);
int run_dump(const Args& args, const Io& io);
int run_import_pam_cap(const Args& args, const Io& io);
int run_compile(const Args& args, const Io& io);
int run_audit(const Args& args, const Io& io);

struct Command {
  std::string_view name;
  std::string_view synopsis;  // the usage line(s), without "secstore "
  std::string_view summary;   // one line for `secstore --help`
  int (*run)(const Args&, const Io&);
  std::string (*more_help)() = nullptr;  // what --help says after the options
};

std::span<const Command> all_commands();
const Command* find_command(std::string_view name);

}  // namespace secstore::cli
