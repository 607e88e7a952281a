#include "secstore/permissions.hpp"

#include <array>
#include <cstdint>

#include "store/permission_names.hpp"

namespace secstore {
namespace {

using detail::kGlobalNames;
using detail::kPathNames;

// ASCII only: permission names are ASCII, and locale-dependent case folding
// must not change what a security file means.
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool equal_ignoring_case(std::string_view canonical, std::string_view name) {
  // Names are mostly written as printed: one whole comparison settles those.
  if (canonical == name) return true;
  if (canonical.size() != name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (upper(name[i]) != canonical[i]) return false;
  return true;
}

// A store names thousands of permissions, so this is on the path of every
// load: the names that have a word's length and first letter are found in
// one step, and only those (rarely more than one) are compared whole.
constexpr std::size_t kLongestName = 33;

template <std::size_t N>
struct NameFinder {
  // Bit i of candidates[length][letter]: name i has that length and starts
  // with that letter (upper case).
  std::array<std::array<std::uint16_t, 26>, kLongestName + 1> candidates{};

  constexpr explicit NameFinder(const std::array<std::string_view, N>& names) {
    static_assert(N <= 16);
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i].size() > kLongestName || names[i][0] < 'A' || names[i][0] > 'Z')
        throw "a permission name is longer than kLongestName or does not start with a capital letter";
      candidates[names[i].size()][names[i][0] - 'A'] |= static_cast<std::uint16_t>(1u << i);
    }
  }

  std::optional<std::size_t> find(const std::array<std::string_view, N>& names, std::string_view name) const {
    if (name.empty() || name.size() > kLongestName) return std::nullopt;
    const char first = upper(name[0]);
    if (first < 'A' || first > 'Z') return std::nullopt;
    for (unsigned bits = candidates[name.size()][first - 'A']; bits != 0; bits &= bits - 1) {
      const auto i = static_cast<std::size_t>(__builtin_ctz(bits));
      if (equal_ignoring_case(names[i], name)) return i;
    }
    return std::nullopt;
  }
};

constexpr NameFinder<kGlobalPermissionCount> kGlobalFinder(kGlobalNames);
constexpr NameFinder<kPathPermissionCount> kPathFinder(kPathNames);

template <class Perm, std::size_t N>
std::optional<Perm> find_name(const NameFinder<N>& finder, const std::array<std::string_view, N>& names,
                              std::string_view name) {
  if (auto i = finder.find(names, name)) return static_cast<Perm>(*i);
  return std::nullopt;
}

template <class Perm, std::size_t N>
std::vector<std::string> names_in(const std::array<std::string_view, N>& names,
                                  PermissionSet<Perm> set) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < N; ++i)
    if (set.has(static_cast<Perm>(i))) out.emplace_back(names[i]);
  return out;
}

}  // namespace

std::span<const std::string_view> global_permission_names() { return kGlobalNames; }
std::span<const std::string_view> path_permission_names() { return kPathNames; }

std::string_view name_of(GlobalPermission p) { return kGlobalNames.at(static_cast<std::size_t>(p)); }
std::string_view name_of(PathPermission p) { return kPathNames.at(static_cast<std::size_t>(p)); }

std::optional<GlobalPermission> global_permission_from_name(std::string_view name) {
  return find_name<GlobalPermission>(kGlobalFinder, kGlobalNames, name);
}

std::optional<PathPermission> path_permission_from_name(std::string_view name) {
  return find_name<PathPermission>(kPathFinder, kPathNames, name);
}

std::vector<std::string> names_of(GlobalPermissions s) { return names_in(kGlobalNames, s); }
std::vector<std::string> names_of(PathPermissions s) { return names_in(kPathNames, s); }

}  // namespace secstore
