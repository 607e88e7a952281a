// NSS lookups with buffers that grow on ERANGE, so a user in many groups or
// a large directory entry is never silently truncated.
#include "secstore/nss.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <vector>

namespace secstore {
namespace {

// Refuse to grow past this: an NSS backend that keeps asking is broken.
constexpr std::size_t kMaxBuffer = std::size_t{1} << 24;

std::size_t initial_buffer(int sysconf_name) {
  long n = ::sysconf(sysconf_name);
  return n > 0 ? static_cast<std::size_t>(n) : 4096;
}

// Runs a *_r lookup, doubling the buffer while it reports ERANGE.
// `call(buf, len, &found)` returns the lookup's error number.
template <class Entry, class Call>
bool lookup_r(int sysconf_name, Entry& entry, Call call, std::vector<char>& buffer) {
  buffer.resize(initial_buffer(sysconf_name));
  for (;;) {
    Entry* found = nullptr;
    int err = call(&entry, buffer.data(), buffer.size(), &found);
    if (err == ERANGE && buffer.size() < kMaxBuffer) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (err == EINTR) continue;
    return err == 0 && found != nullptr;
  }
}

std::optional<gid_t> parse_gid(const std::string& digits) {
  if (digits.empty()) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  auto gid = static_cast<gid_t>(value);
  if (static_cast<unsigned long>(gid) != value || gid == static_cast<gid_t>(-1)) return std::nullopt;
  return gid;
}

// The user's groups, primary first (getgrouplist puts `group` in the list).
std::vector<gid_t> group_list(const char* user, gid_t primary) {
  int count = 32;
  std::vector<gid_t> gids;
  for (;;) {
    gids.resize(static_cast<std::size_t>(count));
    int n = count;
    if (::getgrouplist(user, primary, gids.data(), &n) >= 0) {
      gids.resize(static_cast<std::size_t>(n));
      break;
    }
    // On failure n holds the size needed (glibc); grow at least twofold.
    if (count >= NGROUPS_MAX * 4) {
      gids.resize(static_cast<std::size_t>(count));
      break;
    }
    count = n > count ? n : count * 2;
  }
  std::vector<gid_t> ordered{primary};
  for (gid_t g : gids)
    if (g != primary) {
      bool seen = false;
      for (gid_t o : ordered) seen = seen || o == g;
      if (!seen) ordered.push_back(g);
    }
  return ordered;
}

}  // namespace

std::optional<UserInfo> lookup_user(const std::string& name) { return lookup_user(name, UserGroups::All); }

std::optional<UserInfo> lookup_user(const std::string& name, UserGroups groups) {
  if (name.empty() || name.find('\0') != std::string::npos) return std::nullopt;
  struct passwd pw {};
  std::vector<char> buffer;
  if (!lookup_r(_SC_GETPW_R_SIZE_MAX, pw,
                [&](struct passwd* e, char* buf, std::size_t len, struct passwd** found) {
                  return ::getpwnam_r(name.c_str(), e, buf, len, found);
                },
                buffer))
    return std::nullopt;
  UserInfo info;
  info.name = pw.pw_name;
  info.uid = pw.pw_uid;
  info.gid = pw.pw_gid;
  info.gids = groups == UserGroups::All ? group_list(info.name.c_str(), info.gid) : std::vector<gid_t>{info.gid};
  for (gid_t g : info.gids) {
    // A gid with no name in NSS still belongs to the user; it is named by
    // its number so the two lists stay parallel.
    auto group = group_name(g);
    info.group_names.push_back(group ? *group : std::to_string(g));
  }
  return info;
}

std::optional<gid_t> lookup_group(const std::string& name_or_gid) {
  if (name_or_gid.empty() || name_or_gid.find('\0') != std::string::npos) return std::nullopt;
  struct group gr {};
  std::vector<char> buffer;
  if (auto gid = parse_gid(name_or_gid)) {
    if (lookup_r(_SC_GETGR_R_SIZE_MAX, gr,
                 [&](struct group* e, char* buf, std::size_t len, struct group** found) {
                   return ::getgrgid_r(*gid, e, buf, len, found);
                 },
                 buffer))
      return gr.gr_gid;
    // A number that names no group is still a valid gid.
    return gid;
  }
  if (lookup_r(_SC_GETGR_R_SIZE_MAX, gr,
               [&](struct group* e, char* buf, std::size_t len, struct group** found) {
                 return ::getgrnam_r(name_or_gid.c_str(), e, buf, len, found);
               },
               buffer))
    return gr.gr_gid;
  return std::nullopt;
}

std::optional<std::string> group_name(gid_t gid) {
  struct group gr {};
  std::vector<char> buffer;
  if (!lookup_r(_SC_GETGR_R_SIZE_MAX, gr,
                [&](struct group* e, char* buf, std::size_t len, struct group** found) {
                  return ::getgrgid_r(gid, e, buf, len, found);
                },
                buffer))
    return std::nullopt;
  return std::string(gr.gr_name);
}

}  // namespace secstore
