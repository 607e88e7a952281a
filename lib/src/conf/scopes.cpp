#include <algorithm>
#include <cstring>

#include "conf/data.hpp"
#include "conf/text.hpp"
#include "secstore/nss.hpp"
#include "secstore/suggest.hpp"

namespace secstore::detail {
namespace {

constexpr std::string_view kOptionNames[] = {"user", "group", "role", "capabilities", "chroot", "supplemental_groups"};
constexpr std::string_view kScopeNames[] = {"Security"};

std::string where_str(const Location& l) {
  return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
}

class ScopeReader {
 public:
  ScopeReader(const std::vector<std::string>& files, std::vector<Diagnostic>& diagnostics)
      : files_(files), diagnostics_(diagnostics) {}

  SecurityScope read(const ConfNode& node) {
    SecurityScope scope;
    scope.where = at(node.where);
    if (node.instance) scope.instance = node.instance->text;
    for (const auto& child : node.children) {
      if (child.kind == ConfNode::Kind::Scope) {
        error(child.where, "unknown scope \"" + child.name +
                               "\" inside a Security scope: Security scopes hold only options");
        continue;
      }
      option(scope, child);
    }
    return scope;
  }

 private:
  Location at(ConfPos pos) const { return location_of(files_, pos); }

  void error(ConfPos where, std::string message) {
    diagnostics_.push_back(make_error(at(where), std::move(message)));
  }

  // The one value of an option that does not take a list.
  const ConfItem* single(const ConfNode& option) {
    if (option.value.is_list) {
      error(option.value.where, option.name + " takes one value, not a list");
      return nullptr;
    }
    return &option.value.items.front();
  }

  // All digits are an id (SPEC §3): one past the range is an error here,
  // not a name to look up nor a number to wrap.
  bool id_in_range(const ConfItem& v, std::string_view what) {
    if (!all_digits(v.text) || account_id(v.text)) return true;
    error(v.where, "\"" + v.text + "\" is not a " + std::string(what) + ": a " + std::string(what) +
                       " is a number from 0 to " + std::to_string(kLargestAccountId));
    return false;
  }

  bool not_repeated(std::vector<const ConfNode*>& seen, const ConfNode& option) {
    for (const ConfNode* earlier : seen) {
      if (iequals(earlier->name, option.name)) {
        error(option.where, "\"" + option.name + "\" is set twice in this Security scope (first at " +
                                where_str(at(earlier->where)) + ")");
        return false;
      }
    }
    seen.push_back(&option);
    return true;
  }

  void option(SecurityScope& scope, const ConfNode& opt) {
    if (!not_repeated(seen_, opt)) return;
    const std::string& name = opt.name;
    if (iequals(name, "user")) {
      if (const ConfItem* v = single(opt)) {
        if (v->text.empty())
          error(v->where, "user needs a user name or uid");
        else if (id_in_range(*v, "uid"))
          scope.user = ConfSetting{v->text, at(v->where)};
      }
    } else if (iequals(name, "group")) {
      if (const ConfItem* v = single(opt)) {
        if (v->text.empty())
          error(v->where, "group needs a group name or gid");
        else if (id_in_range(*v, "gid"))
          scope.group = ConfSetting{v->text, at(v->where)};
      }
    } else if (iequals(name, "role")) {
      if (opt.value.items.empty()) {
        error(opt.value.where, "role needs at least one role name; ( ) would match no session");
        return;
      }
      scope.role_where = at(opt.where);
      for (const auto& item : opt.value.items) {
        if (item.text.empty()) error(item.where, "a role name may not be empty");
        scope.roles.push_back(ConfSetting{item.text, at(item.where)});
      }
    } else if (iequals(name, "capabilities")) {
      if (const ConfItem* v = single(opt)) {
        std::string message;
        auto sets = parse_capability_text(v->text, message);
        if (!sets) {
          error(v->where, message);
          return;
        }
        scope.capabilities_text = ConfSetting{v->text, at(v->where)};
        scope.capabilities = *sets;
      }
    } else if (iequals(name, "chroot")) {
      if (const ConfItem* v = single(opt)) {
        if (v->text.empty() || v->text.front() != '/')
          error(v->where, "chroot must be an absolute directory such as \"/srv/jail\", not \"" +
                              v->text + "\"");
        else
          scope.chroot = ConfSetting{normalized_directory(v->text), at(v->where)};
      }
    } else if (iequals(name, "supplemental_groups")) {
      for (const auto& item : opt.value.items) {
        if (item.text.empty()) {
          error(item.where, "a group name may not be empty");
          continue;
        }
        if (!id_in_range(item, "gid")) continue;
        scope.supplemental_groups.push_back(ConfSetting{item.text, at(item.where)});
      }
    } else {
      error(opt.where, "unknown option \"" + name + "\" in a Security scope" + did_you_mean(name, kOptionNames) +
                           "; expected user, group, role, capabilities, chroot or supplemental_groups");
    }
  }

  // "/srv//jail/" and "/srv/jail" are one directory: compare them as one.
  static std::string normalized_directory(const std::string& dir) {
    std::string out;
    for (char c : dir) {
      if (c == '/' && !out.empty() && out.back() == '/') continue;
      out += c;
    }
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
  }

  const std::vector<std::string>& files_;
  std::vector<Diagnostic>& diagnostics_;
  std::vector<const ConfNode*> seen_;
};

}  // namespace

std::string describe_scope(const SecurityScope& scope) {
  std::string out = "Security";
  if (!scope.instance.empty()) out += " \"" + scope.instance + "\"";
  return out + " (" + where_str(scope.where) + ")";
}

std::string describe_scope(const ScopeView& scope) {
  std::string out = "Security";
  if (!scope.instance.empty()) out += " \"" + std::string(scope.instance) + "\"";
  return out + " (" + where_str(location_of(scope.where)) + ")";
}

Location location_of(const LocationView& where) {
  if (where.file == nullptr) return Location{};
  std::uint32_t line_column[2];
  std::memcpy(line_column, where.line_column, sizeof line_column);
  return Location{std::string(*where.file), line_column[0], line_column[1]};
}

Outcome<std::vector<SecurityScope>> read_security_scopes(const std::vector<ConfNode>& nodes,
                                                         const std::vector<std::string>& files) {
  Outcome<std::vector<SecurityScope>> out;
  std::vector<SecurityScope> scopes;
  for (const auto& node : nodes) {
    if (node.kind == ConfNode::Kind::Option) {
      out.diagnostics.push_back(make_error(
          location_of(files, node.where), "unknown option \"" + node.name +
                                              "\" at top level: secstore.conf holds Security scopes and includes"));
    } else if (node.kind == ConfNode::Kind::Scope && !iequals(node.name, "security")) {
      out.diagnostics.push_back(make_error(
          location_of(files, node.where), "unknown scope \"" + node.name + "\"" + did_you_mean(node.name, kScopeNames) +
                                              ": secstore.conf holds Security scopes"));
    } else if (node.kind == ConfNode::Kind::Scope) {
      scopes.push_back(ScopeReader(files, out.diagnostics).read(node));
    }
    // Include nodes were expanded before this point.
  }
  if (std::none_of(out.diagnostics.begin(), out.diagnostics.end(),
                   [](const Diagnostic& d) { return d.severity == Severity::Error; }))
    out.value = std::move(scopes);
  return out;
}

}  // namespace secstore::detail
