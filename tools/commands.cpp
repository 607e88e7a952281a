#include "commands.hpp"

#include <iterator>

namespace secstore::cli {
namespace {

// Synopses follow SPEC §5 word for word, so `--help` and secstore(1) agree.
constexpr Command kCommands[] = {
    {"check", "check   [--store F] [--conf F] [--pam FILE|DIR]",
     "would pam_secstore accept these files? errors and warnings as file:line:col", run_check},
    {"edit", "edit    [--store F | --conf F]",
     "edit the store (or the configuration) as visudo does: lock, $VISUAL/$EDITOR, validate, install", run_edit},
    {"explain",
     "explain [--store F] [--conf F] [--service S]\n"
     "                 (--user U [--groups g1,g2] | --anonymous) [--path P]... [--json]",
     "show a session's roles, permissions and capabilities, and why", run_explain},
    {"can", "can     [--store F] [--conf F] [--service S] (--user U [--groups g1,g2] | --anonymous)\n"
            "                 [-q] PERM [--path P]",
     "exit 0 and print \"yes\" if the session holds PERM (at path P), exit 1 and print \"no\" if not", run_can,
     can_help},
    {"apply", "apply   [--store F] [--conf F] [--dry-run] [--force] SCRIPT|-",
     "run store statements from SCRIPT (- for stdin) as one transaction", run_apply},
    {"dump", "dump    [--store F]", "print the store in canonical form", run_dump},
    {"compile", "compile [--store F] [--conf F]",
     "write STORE.idx, the compiled policy pam_secstore reads instead of the text", run_compile},
    {"audit",
     "audit   [--store F] [--conf F] [--service S]... [--users LIST | --all-local] [--pam FILE|DIR] [--json]\n"
     "                 | --live [--users LIST] [--json] | --dot [--store F] | --ratings",
     "who gets what at login on this host, rated by exposure; running sessions beyond the policy; the role graph",
     run_audit},
    {"import-pam-cap", "import-pam-cap FILE",
     "print a pam_cap capability.conf as secstore.conf Security scopes", run_import_pam_cap},
};

}  // namespace

std::span<const Command> all_commands() { return kCommands; }

const Command* find_command(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace secstore::cli
