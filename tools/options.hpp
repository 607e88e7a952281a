// Option parsing for the subcommands: `--name value`, `--name=value`,
// `--flag`, a one-letter form where one is declared (-h, -q), `--` to end
// options. Each subcommand declares what it accepts with a line of help,
// so a typo is a usage error with a "did you mean" rather than a silently
// ignored word, and `-h`/`--help` lists exactly what the parser accepts.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"

namespace secstore::cli {

struct OptionSpec {
  std::string_view name;   // without the leading "--"
  std::string_view value;  // the value's name in help ("F"); empty: a flag
  std::string_view help;   // one line
  bool repeatable = false;
  char short_name = 0;     // e.g. 'q' for -q
};

class ParsedOptions {
 public:
  bool has(std::string_view name) const;
  // The value of a non-repeatable option, if given.
  std::optional<std::string> value(std::string_view name) const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> values(std::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend struct OptionParser;
  std::map<std::string, std::vector<std::string>, std::less<>> given_;
  std::vector<std::string> positionals_;
};

struct OptionParse {
  std::optional<ParsedOptions> options;
  std::string error;  // a one-line reason when options is empty
};

// A lone "-" is a positional (standard input), not an option. -h and --help
// are always accepted.
OptionParse parse_options(const Args& args, std::span<const OptionSpec> specs);

// What every subcommand does first: parse its options, answer -h/--help
// (the synopsis, the summary, and each option with its line of help), and
// check its positional arguments: at most `max_positionals`, and a usage
// error `missing_positional` when there is none and it is not empty. When
// `options` is empty, return `exit_code` at once.
struct CommandOptions {
  std::optional<ParsedOptions> options;
  int exit_code = kExitOk;
};
CommandOptions parse_command_options(const Args& args, std::span<const OptionSpec> specs, const Io& io,
                                     std::string_view missing_positional = {}, std::size_t max_positionals = 0);

// The option lines of `--help`.
std::string options_help(std::span<const OptionSpec> specs);

// Splits "a,b,c" into names; "" is an empty list (`--groups ''`).
std::vector<std::string> split_list(std::string_view text);

}  // namespace secstore::cli
