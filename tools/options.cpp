#include "options.hpp"
#include "invoker.hpp"

#include "commands.hpp"
#include "secstore/suggest.hpp"

namespace secstore::cli {

bool ParsedOptions::has(std::string_view name) const { return given_.find(name) != given_.end(); }

std::optional<std::string> ParsedOptions::value(std::string_view name) const {
  auto it = given_.find(name);
  if (it == given_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedOptions::values(std::string_view name) const {
  auto it = given_.find(name);
  return it == given_.end() ? std::vector<std::string>{} : it->second;
}

struct OptionParser {
  static OptionParse parse(const Args& args, std::span<const OptionSpec> specs) {
    ParsedOptions parsed;
    auto fail = [](std::string reason) { return OptionParse{std::nullopt, std::move(reason)}; };
    auto unknown = [&](std::string_view written, std::string_view name) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back("--" + std::string(s.name));
      names.push_back("--help");
      names.push_back("--version");
      const std::vector<std::string_view> candidates(names.begin(), names.end());
      return fail("unknown option \"" + std::string(written) + "\"" + did_you_mean("--" + std::string(name), candidates));
    };
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& arg = args[i];
      if (options_ended || arg == "-" || arg.rfind('-', 0) != 0) {
        parsed.positionals_.push_back(arg);
        continue;
      }
      if (arg == "--") {
        options_ended = true;
        continue;
      }
      const OptionSpec* spec = nullptr;
      std::string_view body;
      std::optional<std::string> inline_value;
      if (arg.rfind("--", 0) != 0) {
        // One-letter options: -h, and each subcommand's own.
        if (arg.size() != 2) return unknown(arg, arg.substr(1));
        if (arg[1] == 'h') {
          parsed.given_["help"];
          continue;
        }
        for (const auto& s : specs)
          if (s.short_name == arg[1]) spec = &s;
        if (spec == nullptr) return unknown(arg, arg.substr(1));
        body = spec->name;
      } else {
        body = std::string_view(arg).substr(2);
        if (auto eq = body.find('='); eq != std::string_view::npos) {
          inline_value = std::string(body.substr(eq + 1));
          body = body.substr(0, eq);
        }
        if ((body == "help" || body == "version") && !inline_value) {
          parsed.given_[std::string(body)];
          continue;
        }
        for (const auto& s : specs)
          if (s.name == body) spec = &s;
        if (spec == nullptr) return unknown(arg.substr(0, arg.find('=')), body);
      }
      const std::string name(body);
      if (!spec->repeatable && parsed.has(name)) return fail("option --" + name + " was given more than once");
      auto& slot = parsed.given_[name];
      if (spec->value.empty()) {
        if (inline_value) return fail("option --" + name + " takes no value");
        continue;
      }
      if (inline_value) {
        slot.push_back(*inline_value);
      } else if (i + 1 < args.size()) {
        slot.push_back(args[++i]);
      } else {
        return fail("option --" + name + " needs a value (" + std::string(spec->value) + ")");
      }
    }
    return OptionParse{std::move(parsed), ""};
  }
};

OptionParse parse_options(const Args& args, std::span<const OptionSpec> specs) {
  return OptionParser::parse(args, specs);
}

std::string options_help(std::span<const OptionSpec> specs) {
  std::vector<std::pair<std::string, std::string_view>> rows;
  for (const auto& s : specs) {
    std::string left = s.short_name ? std::string("-") + s.short_name + ", --" : "    --";
    left += s.name;
    if (!s.value.empty()) left += " " + std::string(s.value);
    rows.emplace_back(std::move(left), s.help);
  }
  rows.emplace_back("-h, --help", "show this help and exit");
  rows.emplace_back("    --version", "show the version and exit");
  std::size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  std::string out = "options:\n";
  for (const auto& [left, help] : rows) {
    std::string line = "  " + left;
    line.resize(width + 4, ' ');
    out += line + std::string(help) + "\n";
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    if (!item.empty()) items.emplace_back(item);
    start = comma + 1;
  }
  return items;
}

CommandOptions parse_command_options(const Args& args, std::span<const OptionSpec> specs, const Io& io,
                                     std::string_view missing_positional, std::size_t max_positionals) {
  CommandOptions result;
  auto parsed = parse_options(args, specs);
  if (!parsed.options) {
    result.exit_code = usage_error(io, parsed.error);
    return result;
  }
  if (parsed.options->has("help")) {
    io.out << usage_text(io.command);
    const Command* c = find_command(io.command);
    if (c) io.out << '\n' << c->summary << "\n\n";
    io.out << options_help(specs);
    if (c && c->more_help) io.out << '\n' << c->more_help();
    return result;
  }
  if (parsed.options->has("version")) {
    io.out << "secstore " SECSTORE_VERSION "\n";
    return result;
  }
  const auto& positionals = parsed.options->positionals();
  const std::size_t allowed = std::max<std::size_t>(max_positionals, missing_positional.empty() ? 0 : 1);
  if (positionals.empty() && !missing_positional.empty()) {
    result.exit_code = usage_error(io, missing_positional);
    return result;
  }
  if (positionals.size() > allowed) {
    result.exit_code = usage_error(io, "unexpected argument \"" + positionals[allowed] + "\"");
    return result;
  }
  const SudoCheck sudo = sudo_caller();
  if (!sudo.error.empty()) {
    result.exit_code = usage_error(io, sudo.error);
    return result;
  }
  if (sudo.caller)
    if (auto why = sudo_refusal(*sudo.caller, std::string(io.command), *parsed.options); !why.empty()) {
      result.exit_code = usage_error(io, why);
      return result;
    }
  result.options = std::move(parsed.options);
  return result;
}

}  // namespace secstore::cli
