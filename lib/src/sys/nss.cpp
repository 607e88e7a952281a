// NSS lookups with buffers that grow on ERANGE, and the one place that
// tells "the name service does not know it" from "the name service cannot
// answer".
#include "secstore/nss.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace secstore {
namespace {

// Refuse to grow past this: an NSS backend that keeps asking is broken.
constexpr std::size_t kMaxBuffer = std::size_t{1} << 24;

// glibc answers a name no service has with 0 and no entry. Measured with
// real directories (tests/fleet): nslcd with slapd down, or nslcd itself
// down, gives ENOENT; sssd down gives ECONNREFUSED. getpwnam_r(3) lists
// ENOENT among the ways of saying "not found", but glibc never returns it
// for a name that simply does not exist; so every error is a service that
// did not answer. (An outage behind `files X systemd`, or sssd offline with
// a cold cache, still reads as "not found": nothing here can tell.)
bool means_not_found(int err) { return err == 0; }

struct Answer {
  LookupStatus status;
  int err;
};

// A lookup's scratch space: on the stack first, on the heap only when an
// entry does not fit (a group with thousands of members). The *_r calls
// fill it; nothing reads it before they do, so it is never zeroed.
class LookupBuffer {
 public:
  char* data() { return heap_ ? heap_.get() : inline_; }
  std::size_t size() const { return size_; }
  // Drops the contents: every caller retries the lookup after growing.
  bool grow() {
    if (size_ >= kMaxBuffer) return false;
    const std::size_t wanted = size_ * 2;
    auto bigger = std::unique_ptr<char[]>(new (std::nothrow) char[wanted]);
    if (!bigger) return false;
    heap_ = std::move(bigger);
    size_ = wanted;
    return true;
  }

 private:
  // glibc's own NSS_BUFLEN_GROUP and NSS_BUFLEN_PASSWD are 1024; most
  // entries fit in four times that.
  char inline_[4096];
  std::unique_ptr<char[]> heap_;
  std::size_t size_ = sizeof inline_;
};

// Runs a *_r lookup, doubling the buffer while it reports ERANGE.
// `call(entry, buf, len, &found)` returns the lookup's error number.
template <class Entry, class Call>
Answer lookup_r(Entry& entry, Call call, LookupBuffer& buffer) {
  for (;;) {
    Entry* found = nullptr;
    errno = 0;
    const int err = call(&entry, buffer.data(), buffer.size(), &found);
    if (err == ERANGE && buffer.grow()) continue;
    if (err == EINTR) continue;
    if (found != nullptr && err == 0) return {LookupStatus::Found, 0};
    if (means_not_found(err)) return {LookupStatus::Unknown, err};
    return {LookupStatus::Unavailable, err};
  }
}

std::string unavailable(const std::string& what, int err) {
  return "cannot look up " + what + ": the name service is unavailable (" + std::strerror(err) + ")";
}


// The user's groups, primary first (getgrouplist puts `primary` in the
// list). getgrouplist reports no lookup errors: a group service that cannot
// answer leaves its groups out.
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
  // Primary first, each gid once, in place.
  gids.insert(gids.begin(), primary);
  std::size_t kept = 1;
  for (std::size_t i = 1; i < gids.size(); ++i)
    if (std::find(gids.begin(), gids.begin() + static_cast<std::ptrdiff_t>(kept), gids[i]) ==
        gids.begin() + static_cast<std::ptrdiff_t>(kept))
      gids[kept++] = gids[i];
  gids.resize(kept);
  return gids;
}

// A gid's name; a gid with no name in NSS is named by its number.
std::optional<std::string> name_of_gid(gid_t gid, std::string& error) {
  struct group gr {};
  LookupBuffer buffer;
  const Answer a = lookup_r(gr,
                            [&](struct group* e, char* buf, std::size_t len, struct group** found) {
                              return ::getgrgid_r(gid, e, buf, len, found);
                            },
                            buffer);
  if (a.status == LookupStatus::Found) return std::string(gr.gr_name);
  if (a.status == LookupStatus::Unknown) return std::to_string(gid);
  error = unavailable("group " + std::to_string(gid), a.err);
  return std::nullopt;
}

Answer find_account(const std::string& user, struct passwd& pw, LookupBuffer& buffer) {
  if (user.empty() || user.find('\0') != std::string::npos) return {LookupStatus::Unknown, 0};
  return lookup_r(pw,
                  [&](struct passwd* e, char* buf, std::size_t len, struct passwd** found) {
                    return ::getpwnam_r(user.c_str(), e, buf, len, found);
                  },
                  buffer);
}

}  // namespace

SubjectLookup lookup_subject(const std::string& user, GroupDetail detail) {
  SubjectLookup out;
  struct passwd pw {};
  LookupBuffer buffer;
  const Answer a = find_account(user, pw, buffer);
  if (a.status == LookupStatus::Unknown) {
    out.message = "unknown user \"" + user + "\": the name service does not know it";
    return out;
  }
  if (a.status == LookupStatus::Unavailable) {
    out.status = LookupStatus::Unavailable;
    out.message = unavailable("user \"" + user + "\"", a.err);
    return out;
  }
  SessionSubject& s = out.subject;
  s.user = pw.pw_name;
  s.uid = pw.pw_uid;
  const std::vector<gid_t> gids =
      detail == GroupDetail::PrimaryOnly ? std::vector<gid_t>{pw.pw_gid} : group_list(pw.pw_name, pw.pw_gid);
  s.groups.reserve(gids.size());
  for (std::size_t i = 0; i < gids.size(); ++i) {
    SessionGroup g{std::string(), gids[i]};
    if (detail != GroupDetail::Ids || i == 0) {
      auto name = name_of_gid(gids[i], out.message);
      if (!name) {
        out.status = LookupStatus::Unavailable;
        return out;
      }
      g.name = std::move(*name);
    }
    s.groups.push_back(std::move(g));
  }
  out.status = LookupStatus::Found;
  return out;
}

GroupLookup lookup_group(const std::string& name_or_gid) {
  GroupLookup out;
  if (name_or_gid.empty() || name_or_gid.find('\0') != std::string::npos) {
    out.message = "group \"" + name_or_gid + "\" does not exist";
    return out;
  }
  if (auto gid = account_id(name_or_gid)) {
    out.status = LookupStatus::Found;
    out.gid = *gid;
    return out;
  }
  struct group gr {};
  LookupBuffer buffer;
  const Answer a = lookup_r(gr,
                            [&](struct group* e, char* buf, std::size_t len, struct group** found) {
                              return ::getgrnam_r(name_or_gid.c_str(), e, buf, len, found);
                            },
                            buffer);
  out.status = a.status;
  if (a.status == LookupStatus::Found) out.gid = gr.gr_gid;
  if (a.status == LookupStatus::Unknown) out.message = "group \"" + name_or_gid + "\" does not exist";
  if (a.status == LookupStatus::Unavailable) out.message = unavailable("group \"" + name_or_gid + "\"", a.err);
  return out;
}

Outcome<ResolvedNames> lookup_names(const NamesNeeded& names) {
  ResolvedNames out;
  for (const auto& user : names.users) {
    struct passwd pw {};
    LookupBuffer buffer;
    const Answer a = find_account(user, pw, buffer);
    if (a.status == LookupStatus::Unavailable)
      return Outcome<ResolvedNames>::failure(
          make_error(Location{}, unavailable("user \"" + user + "\"", a.err), Problem::Unreadable));
    if (a.status == LookupStatus::Found) out.users.emplace(user, pw.pw_uid);
  }
  for (const auto& group : names.groups) {
    auto found = lookup_group(group);
    if (found.status == LookupStatus::Unavailable)
      return Outcome<ResolvedNames>::failure(make_error(Location{}, found.message, Problem::Unreadable));
    if (found.status == LookupStatus::Found) out.groups.emplace(group, found.gid);
  }
  return Outcome<ResolvedNames>::success(std::move(out));
}

std::optional<std::string> user_name(uid_t uid) {
  struct passwd pw {};
  LookupBuffer buffer;
  const Answer a = lookup_r(pw,
                            [&](struct passwd* e, char* buf, std::size_t len, struct passwd** found) {
                              return ::getpwuid_r(uid, e, buf, len, found);
                            },
                            buffer);
  if (a.status != LookupStatus::Found) return std::nullopt;
  return std::string(pw.pw_name);
}

}  // namespace secstore
