// Config::plan and its companions: which Security scopes match a session and
// what they add up to (SPEC §3). A pure function of the scopes, who the
// session is, its roles, the names the caller resolved and the kernel's
// capability count: nothing here asks the name service or the kernel.
#include <algorithm>
#include <array>

#include "conf/data.hpp"
#include "conf/text.hpp"
#include "eval/role_set.hpp"
#include "index/scopes_codec.hpp"
#include "secstore/conf.hpp"
#include "secstore/nss.hpp"

namespace secstore {
namespace detail {
namespace {

// The scopes come as SecurityScope (the text) or ScopeView (the index);
// these say what the rules below read of a setting in either form.
std::string_view text(const ConfSetting& s) { return s.text; }
std::string_view text(const SettingView& s) { return s.text; }
const Location& location(const ConfSetting& s) { return s.where; }
Location location(const SettingView& s) { return location_of(s.where); }
ScopeRef reference(const SecurityScope& scope) { return ScopeRef{scope.instance, scope.where}; }
ScopeRef reference(const ScopeView& scope) { return ScopeRef{std::string(scope.instance), location_of(scope.where)}; }

// `user = NAME|UID` selects by identity (SPEC §3): the account's uid. A
// session with no account here (a --groups question about a user served
// elsewhere) can only be matched by name. Digits past the range of ids
// (which the reader refuses) match no one.
bool user_matches(std::string_view selector, const SessionSubject& who, const ResolvedNames& names) {
  if (all_digits(selector)) {
    const auto uid = account_id(selector);
    return uid && who.uid && *who.uid == *uid;
  }
  if (!who.uid) return !who.user.empty() && selector == who.user;
  auto it = names.users.find(selector);
  return it != names.users.end() && it->second == *who.uid;
}

// A group as a scope names it (`group =` or supplemental_groups), with what
// the caller resolved of it: its gid when it has one, and whether it names
// no group: a name the caller found no group for, or digits past the range
// of ids (which the reader refuses; were one here, it must fail the plan,
// never be taken for some gid).
struct GroupName {
  std::optional<gid_t> gid;
  bool unknown = false;
};

GroupName group_name(std::string_view group, const ResolvedNames& names) {
  GroupName out;
  if (all_digits(group)) {
    out.gid = account_id(group);
  } else if (auto it = names.groups.find(group); it != names.groups.end()) {
    out.gid = it->second;
  }
  out.unknown = !out.gid;
  return out;
}

bool group_matches(std::string_view selector, const GroupName& group, const SessionSubject& who) {
  const bool by_name = !all_digits(selector);
  return std::any_of(who.groups.begin(), who.groups.end(), [&](const SessionGroup& g) {
    return (group.gid && g.gid && *g.gid == *group.gid) || (by_name && g.name == selector);
  });
}

bool group_matches(std::string_view selector, const SessionSubject& who, const ResolvedNames& names) {
  return group_matches(selector, group_name(selector, names), who);
}

// Byte order, as std::string sorts: role names are a few bytes, where a
// loop in line costs less than a call to memcmp per probe.
int compare_bytes(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// role_names is sorted (SessionAccess): one three-way probe a step.
bool holds_role(std::string_view role, const SessionAccess& access) {
  const auto& names = access.role_names;
  std::size_t low = 0, high = names.size();
  while (low < high) {
    const std::size_t mid = low + (high - low) / 2;
    const int c = compare_bytes(names[mid], role);
    if (c == 0) return true;
    if (c < 0) low = mid + 1;
    else high = mid;
  }
  return false;
}

template <class Scope>
bool role_matches(const Scope& scope, const SessionAccess& access) {
  return std::any_of(scope.roles.begin(), scope.roles.end(), [&](const auto& r) { return holds_role(text(r), access); });
}

// The roles a session holds, as plan_of asks whether it holds any of a
// scope's: by name for the text's scopes; by number for the index's, when
// the index that holds them also gave the session its roles. Both number
// roles as the one store compiled with them does (kNoRole, a role that
// store lacks, is never held, as a name the store lacks is never among
// role_names). The numbers held are set in a bit set the first time: a
// probe then costs a few instructions where a binary search through them
// cost some thirty, and a plan probes once for each role each scope names.
class HeldRoles {
 public:
  explicit HeldRoles(const SessionAccess& access) : access_(access) {}
  HeldRoles(const HeldRoles&) = delete;
  HeldRoles& operator=(const HeldRoles&) = delete;

  bool any_of(const SecurityScope& scope) { return role_matches(scope, access_); }

  bool any_of(const ScopeView& scope) {
    if (scope.role_origin == nullptr || scope.role_ids.size() != scope.roles.size() * sizeof(std::uint32_t) ||
        !RoleSetAccess::made_by(access_.roles, scope.role_origin))
      return role_matches(scope, access_);
    if (scope.role_origin != origin_) number(scope.role_origin);
    for (std::size_t k = 0; k < scope.roles.size(); ++k)
      if (holds(role_id_at(scope, k))) return true;
    return false;
  }

 private:
  void number(const void* origin) {
    origin_ = origin;
    held_ = RoleSetAccess::ids_for(access_.roles, origin);  // sorted
    // Beyond the set's reach (a store of thousands of roles), the search.
    words_ = held_.empty() || held_.back() >= 64 * bits_.size() ? 0 : held_.back() / 64 + 1;
    std::fill_n(bits_.begin(), words_, std::uint64_t{0});
    if (words_ != 0)
      for (const std::uint32_t id : held_) bits_[id / 64] |= std::uint64_t{1} << (id % 64);
  }

  bool holds(std::uint32_t id) const {
    if (words_ == 0) return id != kNoRole && std::binary_search(held_.begin(), held_.end(), id);
    return id / 64 < words_ && (bits_[id / 64] >> (id % 64) & 1) != 0;  // kNoRole is past every word
  }

  const SessionAccess& access_;
  const void* origin_ = nullptr;  // the index held_ and bits_ are for
  std::span<const std::uint32_t> held_;
  std::size_t words_ = 0;                // of bits_ in use: 0 when searching held_
  std::array<std::uint64_t, 64> bits_;  // ids below 4096; left unset past words_
};

void add_unique(std::vector<std::string>& list, std::string_view item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.emplace_back(item);
}

// Checks one of a scope's groups (`group =` or supplemental), adding to
// `unknown` when it names no group: the same check for unknown_groups_of
// and plan_of, which makes it as it goes rather than look each group up
// twice.
template <class Setting>
GroupName check_group(const Setting& g, const ResolvedNames& names, std::vector<Diagnostic>& unknown) {
  GroupName group = group_name(text(g), names);
  if (group.unknown) unknown.push_back(make_error(location(g), "group \"" + std::string(text(g)) + "\" does not exist"));
  return group;
}

template <class Scope>
std::vector<Diagnostic> unknown_groups_of(std::span<const Scope> scopes, const ResolvedNames& names) {
  std::vector<Diagnostic> out;
  for (const auto& scope : scopes) {
    if (scope.group) check_group(*scope.group, names, out);
    for (const auto& g : scope.supplemental_groups) check_group(g, names, out);
  }
  return out;
}

// A plan only when no scope names an unknown group (every one of those is
// reported, as unknown_groups_of reports them), and then only when no two
// matching scopes' chroots differ.
template <class Scope>
Outcome<SessionPlan> plan_of(std::span<const Scope> scopes, const SessionSubject& who, const SessionAccess& access,
                             const ResolvedNames& names, unsigned capability_count) {
  std::vector<Diagnostic> unknown;
  std::optional<Diagnostic> two_chroots;
  SessionPlan plan;
  plan.matched.reserve(scopes.size());
  const Scope* chroot_scope = nullptr;
  bool grants_capabilities = false;
  HeldRoles roles(access);
  for (const Scope& scope : scopes) {
    GroupName group;
    if (scope.group) group = check_group(*scope.group, names, unknown);
    for (const auto& g : scope.supplemental_groups) check_group(g, names, unknown);
    if (!unknown.empty() || two_chroots) continue;  // no plan; what is left is to find every unknown group
    // Every selector present must match; a scope without selectors matches all.
    if (scope.user && !user_matches(text(*scope.user), who, names)) continue;
    if (scope.group && !group_matches(text(*scope.group), group, who)) continue;
    if (scope.role_where && !roles.any_of(scope)) continue;
    plan.matched.push_back(reference(scope));
    if (scope.capabilities_text) {
      plan.caps |= scope.capabilities;
      grants_capabilities = true;
    }
    if (scope.chroot) {
      const std::string_view dir = text(*scope.chroot);
      if (chroot_scope != nullptr && text(*chroot_scope->chroot) != dir) {
        two_chroots = make_error(
            location(*scope.chroot),
            "this session would get two different chroots: \"" + std::string(text(*chroot_scope->chroot)) +
                "\" from " + describe_scope(*chroot_scope) + " and \"" + std::string(dir) + "\" from " +
                describe_scope(scope) + "; narrow one scope's selectors so that only one applies");
        continue;
      }
      chroot_scope = &scope;
      plan.chroot = std::string(dir);
    }
    for (const auto& g : scope.supplemental_groups) add_unique(plan.supplemental_groups, text(g));
  }
  if (!unknown.empty()) return Outcome<SessionPlan>::failure(std::move(unknown));
  if (two_chroots) return Outcome<SessionPlan>::failure(std::move(*two_chroots));
  for (const auto& group : plan.supplemental_groups) {
    const gid_t gid = *group_name(group, names).gid;  // every one checked above
    if (std::find(plan.supplemental_gids.begin(), plan.supplemental_gids.end(), gid) == plan.supplemental_gids.end())
      plan.supplemental_gids.push_back(gid);
  }
  // SPEC §3: root keeps exactly what it is given. Everything else leaves its
  // bounding set (root would regain it at the next exec) and its
  // inheritable set (which exec would turn into permitted).
  if (who.is_root() && grants_capabilities) {
    const CapabilityMask all = capability_mask_of_count(capability_count);
    const CapabilityMask kept = plan.caps.ambient | plan.caps.inheritable;
    plan.root_exclusive = true;
    plan.caps.bounding_drop |= all & ~kept;
    plan.inheritable_clear = all & ~kept;
  }
  return Outcome<SessionPlan>::success(std::move(plan));
}

template <class Scope>
NamesNeeded names_needed_of(std::span<const Scope> scopes) {
  NamesNeeded needed;
  for (const auto& scope : scopes) {
    if (scope.user && !all_digits(text(*scope.user))) add_unique(needed.users, text(*scope.user));
    if (scope.group && !all_digits(text(*scope.group))) add_unique(needed.groups, text(*scope.group));
    for (const auto& group : scope.supplemental_groups)
      if (!all_digits(text(group))) add_unique(needed.groups, text(group));
  }
  return needed;
}

template <class Scope>
bool selects_by_group_of(std::span<const Scope> scopes) {
  return std::any_of(scopes.begin(), scopes.end(), [](const Scope& scope) { return scope.group.has_value(); });
}

}  // namespace

Outcome<SessionPlan> plan_session(std::span<const SecurityScope> scopes, const SessionSubject& who,
                                  const SessionAccess& access, const ResolvedNames& names,
                                  unsigned capability_count) {
  return plan_of(scopes, who, access, names, capability_count);
}
Outcome<SessionPlan> plan_session(std::span<const ScopeView> scopes, const SessionSubject& who,
                                  const SessionAccess& access, const ResolvedNames& names,
                                  unsigned capability_count) {
  return plan_of(scopes, who, access, names, capability_count);
}
NamesNeeded names_needed(std::span<const SecurityScope> scopes) { return names_needed_of(scopes); }
NamesNeeded names_needed(std::span<const ScopeView> scopes) { return names_needed_of(scopes); }
std::vector<Diagnostic> unknown_groups(std::span<const SecurityScope> scopes, const ResolvedNames& names) {
  return unknown_groups_of(scopes, names);
}
std::vector<Diagnostic> unknown_groups(std::span<const ScopeView> scopes, const ResolvedNames& names) {
  return unknown_groups_of(scopes, names);
}
bool selects_by_group(std::span<const SecurityScope> scopes) { return selects_by_group_of(scopes); }
bool selects_by_group(std::span<const ScopeView> scopes) { return selects_by_group_of(scopes); }

}  // namespace detail

using detail::group_matches;
using detail::role_matches;
using detail::SecurityScope;
using detail::user_matches;

bool SessionPlan::grants_anything() const {
  return !caps.empty() || root_exclusive || chroot || !supplemental_groups.empty();
}

Outcome<SessionPlan> Config::plan(const SessionSubject& who, const SessionAccess& access, const ResolvedNames& names,
                                  unsigned capability_count) const {
  return detail::plan_session(std::span<const SecurityScope>(data_->scopes), who, access, names, capability_count);
}

std::vector<Diagnostic> Config::unknown_groups(const ResolvedNames& names) const {
  return detail::unknown_groups(std::span<const SecurityScope>(data_->scopes), names);
}

NamesNeeded Config::names_needed() const { return detail::names_needed(std::span<const SecurityScope>(data_->scopes)); }

bool Config::selects_by_group() const {
  return detail::selects_by_group(std::span<const SecurityScope>(data_->scopes));
}

std::vector<Diagnostic> Config::lint() const {
  std::vector<Diagnostic> warnings;
  for (const SecurityScope& scope : data_->scopes) {
    if (!scope.capabilities_text && !scope.chroot && scope.supplemental_groups.empty()) {
      warnings.push_back(make_warning(scope.where,
                                      "this Security scope changes nothing for the sessions it matches: it has "
                                      "no capabilities, chroot or supplemental_groups"));
      continue;
    }
    if (!scope.capabilities_text) continue;
    const CapabilitySets& caps = scope.capabilities;
    if (auto both = (caps.ambient | caps.inheritable) & caps.bounding_drop)
      warnings.push_back(make_warning(scope.capabilities_text->where,
                                      "this capability text both grants and drops from the bounding set: " +
                                          capability_list(both) + "; programs that change uid lose it for good"));
  }
  return warnings;
}

std::vector<Diagnostic> Config::root_confinement(const SessionSubject& root, const SessionAccess& access,
                                                 const ResolvedNames& names, bool roles_known,
                                                 const std::vector<std::string>& roles_from_groups) const {
  std::vector<Diagnostic> warnings;
  for (const SecurityScope& scope : data_->scopes) {
    if (!scope.capabilities_text) continue;
    if (scope.user && !user_matches(scope.user->text, root, names)) continue;
    bool could = false;
    if (scope.group) {
      if (!group_matches(scope.group->text, root, names)) continue;
      could = true;
    }
    if (scope.role_where && roles_known) {
      if (!role_matches(scope, access)) continue;
      // Held only through a group role: as changeable as the group.
      could = could || std::all_of(scope.roles.begin(), scope.roles.end(), [&](const detail::ConfSetting& r) {
                return !std::binary_search(access.role_names.begin(), access.role_names.end(), r.text) ||
                       std::find(roles_from_groups.begin(), roles_from_groups.end(), r.text) != roles_from_groups.end();
              });
    }
    could = could || (scope.role_where && !roles_known);
    const CapabilityMask granted = scope.capabilities.ambient | scope.capabilities.inheritable;
    std::string lost;
    for (const char* name : {"cap_dac_override", "cap_sys_admin", "cap_setuid", "cap_chown"}) {
      auto cap = capability_from_name(name);
      if (cap && !(granted & (CapabilityMask{1} << *cap))) {
        lost = name;
        break;
      }
    }
    std::string message = std::string(could ? "this scope could confine root's sessions" : "this scope confines root's sessions");
    if (scope.group && could) message += " (root is in group \"" + scope.group->text + "\" today)";
    else if (scope.role_where && !roles_known) message += " (if root holds one of its roles)";
    else if (scope.role_where && could) message += " (root holds its role through a group today)";
    message += ": a root session keeps only the capabilities listed here and every other one leaves its bounding "
               "and inheritable sets";
    if (!lost.empty()) message += " (it loses " + lost + " unless listed)";
    if (!scope.has_selector()) message += "; add \"user = NAME\" or \"role = R\" if root should keep all its capabilities";
    warnings.push_back(make_warning(scope.capabilities_text->where, message));
  }
  return warnings;
}

std::vector<std::pair<std::string, Location>> Config::chroot_directories() const {
  std::vector<std::pair<std::string, Location>> out;
  for (const SecurityScope& scope : data_->scopes)
    if (scope.chroot) out.emplace_back(scope.chroot->text, scope.chroot->where);
  return out;
}

}  // namespace secstore
