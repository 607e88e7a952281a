#include "store_generator.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace secstore::bench {

namespace {

// splitmix64: the same sequence on every compiler and library, unlike the
// <random> distributions, so a store of N lines is the same file everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }

 private:
  std::uint64_t state_;
};

constexpr std::array<std::string_view, 11> kPathPermissions = {
    "READ_TOPIC",         "UPDATE_TOPIC",   "MODIFY_TOPIC",
    "SEND_TO_MESSAGE_HANDLER", "SEND_TO_SESSION", "SELECT_TOPIC",
    "QUERY_OBSOLETE_TIME_SERIES_EVENTS", "EDIT_TIME_SERIES_EVENTS",
    "EDIT_OWN_TIME_SERIES_EVENTS", "ACQUIRE_LOCK", "EXPOSE_BRANCH"};
constexpr std::array<std::string_view, 10> kGlobalPermissions = {
    "AUTHENTICATE",  "VIEW_SESSION",    "MODIFY_SESSION", "REGISTER_HANDLER",
    "VIEW_SERVER",   "CONTROL_SERVER",  "VIEW_SECURITY",  "MODIFY_SECURITY",
    "READ_TOPIC_VIEWS", "MODIFY_TOPIC_VIEWS"};

// Top-level segments t0..t63; generate_paths draws half of its paths under
// t0..t7.
constexpr std::uint64_t kTopSegments = 64;
constexpr std::uint64_t kSubjectTops = 8;
constexpr std::uint64_t kInnerSegments = 12;

std::string random_path(Rng& rng, std::uint64_t top_limit, std::uint64_t top_base = 0) {
  const std::uint64_t depth = 1 + rng.below(8);
  std::string p = "t" + std::to_string(top_base + rng.below(top_limit));
  for (std::uint64_t d = 1; d < depth; ++d) p += "/s" + std::to_string(rng.below(kInnerSegments));
  return p;
}

template <std::size_t N>
std::string random_list(Rng& rng, const std::array<std::string_view, N>& names, std::uint64_t max_items) {
  const std::uint64_t count = rng.below(max_items + 1);
  std::uint32_t chosen = 0;
  for (std::uint64_t i = 0; i < count; ++i) chosen |= 1u << rng.below(N);
  std::string out = "[";
  for (std::size_t i = 0; i < N; ++i) {
    if ((chosen & (1u << i)) == 0) continue;
    if (out.size() > 1) out += ", ";
    out += names[i];
  }
  return out + "]";
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& s : items) {
    if (out.size() > 1) out += ", ";
    out += '"' + s + '"';
  }
  return out + "]";
}

std::string generic_role(std::uint64_t i) { return "role-" + std::to_string(i); }

std::string core_role(std::uint64_t i) { return (i < 10 ? "r0" : "r") + std::to_string(i); }

constexpr std::uint64_t kCoreRoles = 100;
constexpr std::uint64_t kCorePaths = 1000;
constexpr std::uint64_t kCoreSeed = 20261201;

}  // namespace

RealisticCore realistic_core(const SessionSubject& subject) {
  Rng rng(kCoreSeed);
  RealisticCore core;
  auto line = [&](const std::string& s) {
    core.text += s;
    core.text += '\n';
    ++core.lines;
  };
  line("# The realistic store: " + std::to_string(kCoreRoles) + " roles with includes, " +
       std::to_string(kCorePaths) + " path assignments, user and group roles.");
  line("set roles for named sessions [\"r00\"]");
  line("set roles for anonymous sessions [\"r01\"]");
  // Includes point only to lower-numbered roles, so the graph is acyclic;
  // every odd role includes one or two others.
  std::vector<std::vector<std::uint64_t>> includes(kCoreRoles);
  for (std::uint64_t i = 0; i < kCoreRoles; ++i) {
    if (i % 3 == 0) line("set \"" + core_role(i) + "\" permissions " + random_list(rng, kGlobalPermissions, 2));
    if (i % 4 == 0)
      line("set \"" + core_role(i) + "\" default path permissions " + random_list(rng, kPathPermissions, 2));
    if (i % 2 == 1 && i > 2) {
      for (std::uint64_t n = 1 + rng.below(2); n > 0; --n) includes[i].push_back(rng.below(i));
      std::vector<std::string> names;
      for (const auto r : includes[i]) names.push_back(core_role(r));
      line("set \"" + core_role(i) + "\" includes " + quoted_list(names));
    }
  }
  for (std::uint64_t i = 0; i < kCorePaths; ++i)
    line("set \"" + core_role(rng.below(kCoreRoles)) + "\" path \"" + random_path(rng, kTopSegments) +
         "\" permissions " + random_list(rng, kPathPermissions, 3));
  for (int i = 0; i < 5; ++i) line("isolate path \"" + random_path(rng, kTopSegments) + "\"");
  line("set role \"r00\" locked by principal \"root\"");
  // The session: two user roles and one role for each of its three groups.
  std::vector<std::uint64_t> held = {0, 91, 77};
  line("set roles for user \"" + subject.user + "\" [\"r91\", \"r77\"]");
  for (std::size_t g = 0; g < subject.groups.size(); ++g) {
    held.push_back(81 + 2 * g);
    line("set roles for group \"" + subject.groups[g] + "\" [\"" + core_role(81 + 2 * g) + "\"]");
  }
  // Other accounts, as a real store has them.
  for (std::uint64_t u = 0; u < 30; ++u)
    line("set roles for user \"user" + std::to_string(u) + "\" " +
         quoted_list({core_role(rng.below(kCoreRoles)), core_role(rng.below(kCoreRoles))}));
  for (std::uint64_t g = 0; g < 10; ++g)
    line("set roles for group \"group" + std::to_string(g) + "\" " + quoted_list({core_role(rng.below(kCoreRoles))}));
  line("");
  // The closure, as SPEC §2.2 defines it: every role reachable by includes.
  std::vector<bool> in(kCoreRoles, false);
  while (!held.empty()) {
    const std::uint64_t r = held.back();
    held.pop_back();
    if (in[r]) continue;
    in[r] = true;
    for (const auto inc : includes[r]) held.push_back(inc);
  }
  for (std::uint64_t r = 0; r < kCoreRoles; ++r)
    if (in[r]) core.session_roles.push_back(core_role(r));
  return core;
}

std::string generate_store(std::uint64_t lines, const SessionSubject& subject, std::uint64_t seed) {
  Rng rng(seed);
  const RealisticCore core = realistic_core(subject);
  std::string out;
  out.reserve(lines * 72 + core.text.size());
  std::uint64_t written = 0;
  out += "# Generated by secstore-bench: " + std::to_string(lines) + " lines, seed " + std::to_string(seed) + "\n";
  ++written;
  out += core.text;
  written += core.lines;

  const std::uint64_t roles = lines / 40 > 50 ? lines / 40 : 50;
  const std::uint64_t users = roles / 4 + 1;
  const std::uint64_t groups = roles / 16 + 1;
  // (role, path) assignments not yet removed, newest last: `remove` takes one
  // of these so that removals are real, not no-ops that draw warnings.
  std::vector<std::pair<std::uint64_t, std::string>> removable;

  while (written < lines) {
    const std::uint64_t kind = rng.below(100);
    const std::uint64_t r = rng.below(roles);
    std::string s;
    if (kind < 60) {
      std::string path = random_path(rng, kTopSegments);
      s = "set \"" + generic_role(r) + "\" path \"" + path + "\" permissions " + random_list(rng, kPathPermissions, 3);
      if (removable.size() < 4096) removable.emplace_back(r, std::move(path));
    } else if (kind < 68) {
      s = "set \"" + generic_role(r) + "\" default path permissions " + random_list(rng, kPathPermissions, 2);
    } else if (kind < 76) {
      s = "set \"" + generic_role(r) + "\" permissions " + random_list(rng, kGlobalPermissions, 2);
    } else if (kind < 82) {
      // Only lower-numbered roles: the include graph stays acyclic whatever
      // order the statements replace each other in.
      std::vector<std::string> inc;
      if (r > 0)
        for (std::uint64_t n = 1 + rng.below(3); n > 0; --n) inc.push_back(generic_role(rng.below(r)));
      s = "set \"" + generic_role(r) + "\" includes " + quoted_list(inc);
    } else if (kind < 88) {
      s = "set roles for user \"user" + std::to_string(rng.below(users)) + "\" " +
          quoted_list({generic_role(r), generic_role(rng.below(roles))});
    } else if (kind < 92) {
      s = "set roles for group \"group" + std::to_string(rng.below(groups)) + "\" " +
          quoted_list({generic_role(r)});
    } else if (kind < 94) {
      s = "isolate path \"" + random_path(rng, kTopSegments) + "\"";
    } else if (kind < 95) {
      s = "deisolate path \"" + random_path(rng, kTopSegments) + "\"";
    } else if (kind < 97 && !removable.empty()) {
      s = "remove \"" + generic_role(removable.back().first) + "\" permissions for path \"" +
          removable.back().second + "\"";
      removable.pop_back();
    } else if (kind < 98) {
      s = "set role \"" + generic_role(r) + "\" locked by principal \"admin" + std::to_string(r % 7) + "\"";
    } else if (kind < 99) {
      s = "# comment " + std::to_string(written);
    } else {
      s = "";
    }
    out += s;
    out += '\n';
    ++written;
  }
  return out;
}

std::vector<std::string> generate_paths(std::size_t count, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::string> paths;
  paths.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    paths.push_back(rng.below(2) == 0 ? random_path(rng, kSubjectTops)
                                      : random_path(rng, kTopSegments - kSubjectTops, kSubjectTops));
  return paths;
}

std::string generate_conf(const SessionSubject& subject) {
  // Ten scopes, as the realistic deployment has them: eight select by role
  // (three of them match the session), two by group (one matches: the
  // subject's second group; `root` has no members here).
  const std::vector<std::string> session = realistic_core(subject).session_roles;
  auto holds = [&](const std::string& role) {
    return std::find(session.begin(), session.end(), role) != session.end();
  };
  std::vector<std::string> held, not_held;
  for (std::uint64_t i = 0; i < kCoreRoles; ++i) (holds(core_role(i)) ? held : not_held).push_back(core_role(i));
  const std::array<std::string_view, 8> caps = {"^cap_net_bind_service", "cap_net_raw+i", "cap_sys_nice+i",
                                                "cap_ipc_lock+i",        "cap_kill+i",    "cap_chown+i",
                                                "cap_fowner+i",          "cap_sys_time+i"};
  std::string out = "# Generated by secstore-bench: 10 scopes, 8 by role, 2 by group.\n";
  for (std::size_t k = 0; k < caps.size(); ++k) {
    const std::string first = k < 3 ? held[k % held.size()] : not_held[(7 * k) % not_held.size()];
    const std::string second = not_held[(13 * k + 5) % not_held.size()];
    out += "Security \"by-role-" + std::to_string(k) + "\" {\n  role = ( " + first + " " + second +
           " )\n  capabilities = \"" + std::string(caps[k]) + "\"\n}\n";
  }
  const std::vector<std::string> groups = conf_group_selectors(subject);
  out += "Security \"by-group-0\" {\n  group = " + groups[0] + "\n  capabilities = \"cap_net_admin+i\"\n}\n";
  out += "Security \"by-group-1\" {\n  group = " + groups[1] + "\n  capabilities = \"cap_sys_admin+i\"\n}\n";
  return out;
}

std::vector<std::string> conf_group_selectors(const SessionSubject& subject) {
  return {subject.groups.size() > 1 ? subject.groups[1] : subject.group, "root"};
}

std::string generate_pam_cap_conf(const SessionSubject& subject) {
  // One @group line and one user line. The group line comes first, so that
  // pam_cap resolves the user's groups (as pam_secstore must) before the user
  // line grants; in the other order it would never ask for them.
  return "# Generated by secstore-bench: the peer's share of the same grant.\n"
         "cap_sys_admin @root\n"
         "^cap_net_bind_service " + subject.user + "\n"
         "none *\n";
}

}  // namespace secstore::bench
