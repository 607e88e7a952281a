// Long-option parsing for the subcommands: `--name value`, `--name=value`,
// `--flag`, `--` to end options. Each subcommand declares what it accepts,
// so a typo is a usage error rather than a silently ignored word.
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
  std::string_view name;  // without the leading "--"
  bool takes_value = false;
  bool repeatable = false;
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

// A lone "-" is a positional (standard input), not an option.
OptionParse parse_options(const Args& args, std::span<const OptionSpec> specs);

// What every subcommand does first: parse its options, answer --help, and
// check its positional arguments. `required_positional` is the usage error
// for a missing one when the subcommand takes exactly one; empty when it
// takes none. When `options` is empty, return `exit_code` at once.
struct CommandOptions {
  std::optional<ParsedOptions> options;
  int exit_code = kExitOk;
};
CommandOptions parse_command_options(const Args& args, std::span<const OptionSpec> specs,
                                     const Io& io, std::string_view required_positional = {});

// Splits "a,b,c" into names; "" is an empty list (`--groups ''`).
std::vector<std::string> split_list(std::string_view text);

}  // namespace secstore::cli
