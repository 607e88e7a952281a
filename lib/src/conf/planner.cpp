// Config::plan and its companions: which Security scopes match a session and
// what they add up to (SPEC §3).
#include <algorithm>
#include <charconv>
#include <sys/capability.h>

#include "conf/data.hpp"
#include "conf/text.hpp"
#include "secstore/conf.hpp"
#include "secstore/nss.hpp"

namespace secstore {
namespace {

using detail::SecurityScope;

std::optional<unsigned long> number_of(std::string_view digits) {
  if (!detail::all_digits(digits)) return std::nullopt;
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

bool user_matches(const detail::ConfSetting& user, const SessionFacts& facts) {
  if (!facts.user.empty() && user.text == facts.user) return true;
  auto uid = number_of(user.text);
  return uid && facts.uid && *uid == *facts.uid;
}

bool group_matches(const detail::ConfSetting& group, const SessionFacts& facts) {
  if (std::find(facts.group_names.begin(), facts.group_names.end(), group.text) !=
      facts.group_names.end())
    return true;
  auto gid = number_of(group.text);
  return gid && std::any_of(facts.gids.begin(), facts.gids.end(),
                            [&](gid_t g) { return g == *gid; });
}

bool role_matches(const SecurityScope& scope, const SessionFacts& facts) {
  return std::any_of(scope.roles.begin(), scope.roles.end(), [&](const detail::ConfSetting& r) {
    return std::find(facts.roles.begin(), facts.roles.end(), r.text) != facts.roles.end();
  });
}

// Every selector present must match; a scope without selectors matches all.
bool scope_matches(const SecurityScope& scope, const SessionFacts& facts) {
  if (scope.user && !user_matches(*scope.user, facts)) return false;
  if (scope.group && !group_matches(*scope.group, facts)) return false;
  if (scope.role_where && !role_matches(scope, facts)) return false;
  return true;
}

// Could root's sessions match this scope? Only a user selector naming
// someone else rules it out: group and role membership can change.
bool may_apply_to_root(const SecurityScope& scope) {
  if (!scope.user) return true;
  const std::string& who = scope.user->text;
  if (who == "root" || number_of(who) == 0ul) return true;
  if (detail::all_digits(who)) return false;
  auto info = lookup_user(who);
  return info && info->uid == 0;
}

// A capability root would lose, to make the warning concrete.
std::string example_lost_capability(const CapabilitySets& kept) {
  const std::uint64_t granted = kept.ambient | kept.inheritable;
  for (const char* name : {"cap_dac_override", "cap_sys_admin", "cap_setuid", "cap_chown"}) {
    cap_value_t value;
    if (cap_from_name(name, &value) == 0 && value < 64 &&
        (granted & (std::uint64_t{1} << value)) == 0)
      return name;
  }
  auto lost = capability_names(all_capabilities_mask() & ~granted);
  return lost.empty() ? "" : lost.front();
}

}  // namespace

Outcome<SessionPlan> Config::plan(const SessionFacts& facts) const {
  SessionPlan plan;
  const SecurityScope* chroot_scope = nullptr;
  bool grants_capabilities = false;
  for (const SecurityScope& scope : data_->scopes) {
    if (!scope_matches(scope, facts)) continue;
    plan.matched.push_back(ScopeRef{scope.instance, scope.where});
    if (scope.capabilities_text) {
      plan.caps |= scope.capabilities;
      grants_capabilities = true;
    }
    if (scope.chroot) {
      if (chroot_scope != nullptr && chroot_scope->chroot->text != scope.chroot->text)
        return Outcome<SessionPlan>::failure(make_error(
            scope.chroot->where,
            "this session would get two different chroots: \"" + chroot_scope->chroot->text +
                "\" from " + detail::describe_scope(*chroot_scope) + " and \"" +
                scope.chroot->text + "\" from " + detail::describe_scope(scope) +
                "; narrow one scope's selectors so that only one applies"));
      chroot_scope = &scope;
      plan.chroot = scope.chroot->text;
    }
    for (const auto& group : scope.supplemental_groups) {
      if (std::find(plan.supplemental_groups.begin(), plan.supplemental_groups.end(),
                    group.text) == plan.supplemental_groups.end())
        plan.supplemental_groups.push_back(group.text);
    }
  }
  // SPEC §3: root keeps exactly what it is given, so everything else leaves
  // its bounding set (root would otherwise regain it at the next exec).
  if (facts.uid && *facts.uid == 0 && grants_capabilities) {
    plan.root_exclusive = true;
    plan.caps.bounding_drop |=
        all_capabilities_mask() & ~(plan.caps.ambient | plan.caps.inheritable);
  }
  Outcome<SessionPlan> out;
  out.value = std::move(plan);
  return out;
}

std::vector<Diagnostic> Config::lint() const {
  std::vector<Diagnostic> warnings;
  for (const SecurityScope& scope : data_->scopes) {
    if (!scope.capabilities_text && !scope.chroot && scope.supplemental_groups.empty()) {
      warnings.push_back(make_warning(
          scope.where, "this Security scope changes nothing for the sessions it matches: it has "
                       "no capabilities, chroot or supplemental_groups"));
      continue;
    }
    if (!scope.capabilities_text) continue;
    const CapabilitySets& caps = scope.capabilities;
    if (auto both = (caps.ambient | caps.inheritable) & caps.bounding_drop) {
      std::string names;
      for (const auto& n : capability_names(both)) names += (names.empty() ? "" : ", ") + n;
      warnings.push_back(make_warning(
          scope.capabilities_text->where,
          "this capability text both grants and drops from the bounding set: " + names +
              "; programs that change uid lose it for good"));
    }
    if (!may_apply_to_root(scope)) continue;
    const std::string lost = example_lost_capability(scope.capabilities);
    std::string message =
        scope.user ? "this scope gives capabilities to root's sessions"
                   : "this scope has no user selector, so its capabilities also apply to root's "
                     "sessions";
    message += ": a root session then keeps only the capabilities listed here and every other "
               "one is dropped from its bounding set";
    if (!lost.empty()) message += " (it loses " + lost + " unless listed)";
    message += scope.user ? "" : "; add \"user = NAME\" if root should keep all its capabilities";
    warnings.push_back(make_warning(scope.capabilities_text->where, message));
  }
  return warnings;
}

bool Config::selects_by_group() const {
  return std::any_of(data_->scopes.begin(), data_->scopes.end(),
                     [](const SecurityScope& scope) { return scope.group.has_value(); });
}

std::vector<std::pair<std::string, Location>> Config::group_references() const {
  std::vector<std::pair<std::string, Location>> refs;
  for (const SecurityScope& scope : data_->scopes) {
    if (scope.group && !detail::all_digits(scope.group->text))
      refs.emplace_back(scope.group->text, scope.group->where);
    for (const auto& group : scope.supplemental_groups)
      if (!detail::all_digits(group.text)) refs.emplace_back(group.text, group.where);
  }
  return refs;
}

}  // namespace secstore
