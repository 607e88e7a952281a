#include "options.hpp"

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
      if (arg.rfind("--", 0) != 0) return fail("unknown option \"" + arg + "\"");
      std::string_view body = std::string_view(arg).substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = body.find('='); eq != std::string_view::npos) {
        inline_value = std::string(body.substr(eq + 1));
        body = body.substr(0, eq);
      }
      const OptionSpec* spec = nullptr;
      for (const auto& s : specs)
        if (s.name == body) spec = &s;
      if (spec == nullptr) return fail("unknown option \"--" + std::string(body) + "\"");
      std::string name(body);
      if (!spec->repeatable && parsed.has(name))
        return fail("option --" + name + " was given more than once");
      auto& slot = parsed.given_[name];
      if (!spec->takes_value) {
        if (inline_value) return fail("option --" + name + " takes no value");
        continue;
      }
      if (inline_value) {
        slot.push_back(*inline_value);
      } else if (i + 1 < args.size()) {
        slot.push_back(args[++i]);
      } else {
        return fail("option --" + name + " needs a value");
      }
    }
    return OptionParse{std::move(parsed), ""};
  }
};

OptionParse parse_options(const Args& args, std::span<const OptionSpec> specs) {
  return OptionParser::parse(args, specs);
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

CommandOptions parse_command_options(const Args& args, std::span<const OptionSpec> specs,
                                     const Io& io, std::string_view required_positional) {
  CommandOptions result;
  auto parsed = parse_options(args, specs);
  if (!parsed.options) {
    result.exit_code = usage_error(io, parsed.error);
    return result;
  }
  if (parsed.options->has("help")) {
    io.out << usage_text(io.command);
    return result;
  }
  const auto& positionals = parsed.options->positionals();
  const std::size_t allowed = required_positional.empty() ? 0 : 1;
  if (positionals.size() < allowed) {
    result.exit_code = usage_error(io, required_positional);
    return result;
  }
  if (positionals.size() > allowed) {
    result.exit_code = usage_error(io, "unexpected argument \"" + positionals[allowed] + "\"");
    return result;
  }
  result.options = std::move(parsed.options);
  return result;
}

}  // namespace secstore::cli
