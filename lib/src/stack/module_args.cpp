#include "secstore/module_args.hpp"

#include <string_view>

#include "secstore/policy.hpp"
#include "secstore/suggest.hpp"

namespace secstore {
namespace {

constexpr std::string_view kExpected =
    "expected store=PATH, conf=PATH, debug, anonymous=LIST, require=PERM[,PERM], "
    "require_path=PATH:PERM[,PERM], noenv or nokeepcaps";
constexpr std::string_view kArgumentNames[] = {"store", "conf", "debug", "anonymous", "require",
                                               "require_path", "noenv", "nokeepcaps"};

using Failure = std::string;

Failure argument_error(std::string message) { return message; }

// Splits on commas, keeping empty items so that "a,,b" can be refused.
std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> items;
  for (;;) {
    auto comma = text.find(',');
    items.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

std::optional<Failure> parse_global_list(std::string_view arg, std::string_view list,
                                         GlobalPermissions& out) {
  for (auto name : split_commas(list)) {
    if (name.empty())
      return argument_error("argument \"" + std::string(arg) +
                            "\": expected a comma-separated list of global permissions");
    if (auto p = global_permission_from_name(name)) {
      out.add(*p);
    } else if (path_permission_from_name(name)) {
      return argument_error("argument \"" + std::string(arg) + "\": " + std::string(name) +
                            " is a path permission; use require_path=PATH:" + std::string(name));
    } else {
      return argument_error("argument \"" + std::string(arg) + "\": " + std::string(name) +
                            " is not a global permission" + did_you_mean(name, global_permission_names()));
    }
  }
  return std::nullopt;
}

std::optional<Failure> parse_path_requirement(std::string_view arg, std::string_view value,
                                              PathRequirement& out) {
  // Permission names never hold ':', paths may: split at the last one.
  auto colon = value.rfind(':');
  if (colon == std::string_view::npos)
    return argument_error("argument \"" + std::string(arg) +
                          "\": expected require_path=PATH:PERM[,PERM]");
  std::string_view path = value.substr(0, colon);
  if (path.find_first_not_of('/') == std::string_view::npos)
    return argument_error("argument \"" + std::string(arg) + "\": the path is empty");
  out.path = std::string(path);
  for (auto name : split_commas(value.substr(colon + 1))) {
    if (name.empty())
      return argument_error("argument \"" + std::string(arg) +
                            "\": expected a comma-separated list of path permissions after ':'");
    if (auto p = path_permission_from_name(name)) {
      out.permissions.add(*p);
    } else if (global_permission_from_name(name)) {
      return argument_error("argument \"" + std::string(arg) + "\": " + std::string(name) +
                            " is a global permission; use require=" + std::string(name));
    } else {
      return argument_error("argument \"" + std::string(arg) + "\": " + std::string(name) +
                            " is not a path permission" + did_you_mean(name, path_permission_names()));
    }
  }
  return std::nullopt;
}

std::optional<Failure> parse_anonymous(std::string_view arg, std::string_view list,
                                       AnonymousList& out) {
  out = AnonymousList{{}, {}};
  if (list.empty()) return std::nullopt;  // "anonymous=": nobody is anonymous by name
  for (auto item : split_commas(list)) {
    if (item.empty() || item == "@")
      return argument_error("argument \"" + std::string(arg) +
                            "\": expected comma-separated user names and @group entries");
    if (item.front() == '@')
      out.groups.emplace_back(item.substr(1));
    else
      out.users.emplace_back(item);
  }
  return std::nullopt;
}

// The value after "key=", when `arg` starts with it.
std::optional<std::string_view> value_of(std::string_view arg, std::string_view key) {
  if (arg.size() > key.size() && arg.substr(0, key.size()) == key && arg[key.size()] == '=')
    return arg.substr(key.size() + 1);
  return std::nullopt;
}

std::optional<Failure> absolute_file(std::string_view key, std::string_view value, std::string& out) {
  if (value.empty()) return argument_error("argument \"" + std::string(key) + "=\": expected a file name");
  if (value.front() != '/')
    return argument_error("argument \"" + std::string(key) + "=" + std::string(value) +
                          "\": the path must be absolute (it would be read relative to the login program's "
                          "working directory)");
  out.assign(value);
  return std::nullopt;
}

}  // namespace

ParsedArgs parse_module_args(int argc, const char** argv) {
  ModuleArgs args;
  auto fail = [](Failure f) { return ParsedArgs{std::nullopt, std::move(f)}; };
  for (int i = 0; i < argc; ++i) {
    if (argv[i] == nullptr) continue;
    std::string_view arg(argv[i]);
    std::optional<Failure> error;
    if (arg == "debug") {
      args.debug = true;
    } else if (arg == "noenv") {
      args.noenv = true;
    } else if (arg == "nokeepcaps") {
      args.nokeepcaps = true;
    } else if (auto v = value_of(arg, "store")) {
      error = absolute_file("store", *v, args.store_path);
    } else if (auto v = value_of(arg, "conf")) {
      error = absolute_file("conf", *v, args.conf_path);
    } else if (auto v = value_of(arg, "anonymous")) {
      error = parse_anonymous(arg, *v, args.anonymous);
    } else if (auto v = value_of(arg, "require")) {
      error = parse_global_list(arg, *v, args.required);
    } else if (auto v = value_of(arg, "require_path")) {
      PathRequirement requirement;
      error = parse_path_requirement(arg, *v, requirement);
      if (!error) args.required_paths.push_back(std::move(requirement));
    } else {
      const std::string_view key = arg.substr(0, arg.find('='));
      return fail(argument_error("unknown argument \"" + std::string(arg) + "\"" +
                                 did_you_mean(key, kArgumentNames) + "; " + std::string(kExpected)));
    }
    if (error) return fail(std::move(*error));
  }
  // The defaults only where no store= or conf= gave a path (which is never
  // empty): not built at every open only to be replaced.
  if (args.store_path.empty() || args.conf_path.empty()) {
    PolicyFiles defaults = default_policy_files();
    if (args.store_path.empty()) args.store_path = std::move(defaults.store);
    if (args.conf_path.empty()) args.conf_path = std::move(defaults.conf);
  }
  return ParsedArgs{std::move(args), {}};
}

}  // namespace secstore
