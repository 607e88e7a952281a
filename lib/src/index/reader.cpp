// Reading a compiled store index in the module (store_index.hpp): a header
// and a few entries with pread, each checked, so that a session open costs
// the same whatever the size of the store.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "secstore/store_index.hpp"
#include "index/format.hpp"
#include "sys/unique_fd.hpp"

namespace secstore {
namespace {

using detail::UniqueFd;

using detail::EntryKind;

bool read_exactly(int fd, void* buf, std::size_t n, std::uint64_t at) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t got = ::pread(fd, p, n, static_cast<off_t>(at));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
    at += static_cast<std::uint64_t>(got);
  }
  return true;
}

bool safe(const struct stat& st) {
  return S_ISREG(st.st_mode) && st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

bool identity_matches(const detail::IndexHeader& h, const struct stat& st) {
  return h.dev == st.st_dev && h.ino == st.st_ino && h.size == static_cast<std::uint64_t>(st.st_size) &&
         h.mtime_sec == st.st_mtim.tv_sec && h.mtime_nsec == st.st_mtim.tv_nsec &&
         h.ctime_sec == st.st_ctim.tv_sec && h.ctime_nsec == st.st_ctim.tv_nsec;
}

struct IndexedRole {
  std::uint32_t id;
  std::uint32_t global;
  std::string name;
};

}  // namespace

StoreIndex::StoreIndex(int fd, std::uint64_t slot_count, std::uint64_t slots_at, std::uint64_t size,
                       bool group_roles)
    : fd_(fd), slot_count_(slot_count), slots_at_(slots_at), size_(size), group_roles_(group_roles) {}

StoreIndex::StoreIndex(StoreIndex&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      slot_count_(o.slot_count_),
      slots_at_(o.slots_at_),
      size_(o.size_),
      group_roles_(o.group_roles_) {}

bool StoreIndex::has_group_roles() const { return group_roles_; }

StoreIndex& StoreIndex::operator=(StoreIndex&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    slot_count_ = o.slot_count_;
    slots_at_ = o.slots_at_;
    size_ = o.size_;
    group_roles_ = o.group_roles_;
  }
  return *this;
}

StoreIndex::~StoreIndex() {
  if (fd_ >= 0) ::close(fd_);
}

StoreIndex::Opened StoreIndex::open(const std::string& store_path) {
  Opened out;
  // The store is what the text path would read; an unusable store is
  // reported there, not here, and then neither is its index.
  UniqueFd store(::open(store_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat store_st {};
  if (store.get() < 0 || ::fstat(store.get(), &store_st) != 0 || !safe(store_st)) return out;
  const std::string index_path = store_index_path(store_path);
  UniqueFd index(::open(index_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (index.get() < 0) {
    if (errno != ENOENT)
      out.problem = index_path + ": not used, it cannot be opened (" + std::strerror(errno) +
                    "); reading the store text instead";
    return out;
  }
  struct stat index_st {};
  if (::fstat(index.get(), &index_st) != 0) {
    out.problem = index_path + ": cannot stat the index: " + std::strerror(errno);
    return out;
  }
  auto stale = [&](const std::string& why) {
    out.problem = index_path + ": not used, " + why + "; reading the store text instead (run `secstore compile`)";
    return std::move(out);
  };
  if (!safe(index_st))
    return stale("it must be a regular file owned by root and not writable by group or others");
  if (index_st.st_dev != store_st.st_dev) return stale("it is not on the store's file system");
  detail::IndexHeader h{};
  if (!read_exactly(index.get(), &h, sizeof h, 0)) return stale("it is truncated");
  if (std::memcmp(h.magic, detail::kIndexMagic, sizeof h.magic) != 0 ||
      h.byte_order != detail::kByteOrderMark)
    return stale("it is not a secstore index");
  if (h.version != detail::kIndexVersion) return stale("it was written by another version");
  if (h.checksum != detail::header_checksum(h)) return stale("its header is damaged");
  if (h.file_size != static_cast<std::uint64_t>(index_st.st_size)) return stale("it is truncated or extended");
  if (h.slot_count == 0 || (h.slot_count & (h.slot_count - 1)) != 0 || h.slots_at < sizeof h ||
      h.slots_at + h.slot_count * sizeof(detail::IndexSlot) > h.file_size)
    return stale("its header is damaged");
  if (!identity_matches(h, store_st)) return stale("the store has changed since it was compiled");
  out.index = StoreIndex(index.release(), h.slot_count, h.slots_at, h.file_size,
                         (h.flags & detail::kIndexHasGroupRoles) != 0);
  return out;
}

namespace {

enum class Lookup { Found, Absent, Damaged };

// Finds the entry for (kind, name) and checks it: `bytes` is then the whole
// entry and `at` the offset just past its name. Damaged sets `problem`.
Lookup find_entry(int fd, std::uint64_t slot_count, std::uint64_t slots_at, std::uint64_t size, EntryKind kind,
                  std::string_view name, std::string& bytes, std::size_t& at, std::string& problem) {
  const std::uint64_t h = detail::key_hash(kind, name);
  for (std::uint64_t probes = 0, i = h & (slot_count - 1); probes < slot_count;
       ++probes, i = (i + 1) & (slot_count - 1)) {
    detail::IndexSlot slot{};
    if (!read_exactly(fd, &slot, sizeof slot, slots_at + i * sizeof slot) ||
        slot.check != detail::slot_check(i, slot.hash, slot.entry_at)) {
      problem = "a slot of its table is damaged";
      return Lookup::Damaged;
    }
    if (slot.entry_at == 0) return Lookup::Absent;
    if (slot.hash != h) continue;
    detail::EntryHead head{};
    if (slot.entry_at + sizeof head > size || !read_exactly(fd, &head, sizeof head, slot.entry_at) ||
        head.size < sizeof head || slot.entry_at + head.size > size) {
      problem = "an entry is damaged";
      return Lookup::Damaged;
    }
    bytes.assign(head.size, '\0');
    if (!read_exactly(fd, bytes.data(), bytes.size(), slot.entry_at)) {
      problem = "an entry cannot be read";
      return Lookup::Damaged;
    }
    const std::size_t covered = offsetof(detail::EntryHead, kind);
    if (detail::fnv32(bytes.data() + covered, bytes.size() - covered) != head.checksum ||
        sizeof head + head.name_size > bytes.size()) {
      problem = "an entry is damaged";
      return Lookup::Damaged;
    }
    if (head.kind != static_cast<std::uint8_t>(kind) ||
        std::string_view(bytes.data() + sizeof head, head.name_size) != name)
      continue;  // a hash collision
    at = sizeof head + head.name_size;
    return Lookup::Found;
  }
  problem = "its table is damaged";
  return Lookup::Damaged;
}

std::uint32_t count_of(const std::string& entry) {
  detail::EntryHead head{};
  std::memcpy(&head, entry.data(), sizeof head);
  return head.role_count;
}

// Appends the roles of a session list's entry. false with `problem` set on
// damage; true (nothing added) when there is no entry.
bool add_entry(int fd, std::uint64_t slot_count, std::uint64_t slots_at, std::uint64_t size,
               EntryKind kind, std::string_view name, std::vector<IndexedRole>& roles,
               std::string& problem) {
  std::string bytes;
  std::size_t at = 0;
  switch (find_entry(fd, slot_count, slots_at, size, kind, name, bytes, at, problem)) {
    case Lookup::Absent: return true;
    case Lookup::Damaged: return false;
    case Lookup::Found: break;
  }
  const std::uint32_t count = count_of(bytes);
  for (std::uint32_t r = 0; r < count; ++r) {
    detail::RoleHead role{};
    if (at + sizeof role > bytes.size()) break;
    std::memcpy(&role, bytes.data() + at, sizeof role);
    at += sizeof role;
    if (at + role.name_size > bytes.size()) break;
    roles.push_back({role.id, role.global, std::string(bytes.data() + at, role.name_size)});
    at += role.name_size;
  }
  if (at != bytes.size()) {
    problem = "an entry is damaged";
    return false;
  }
  return true;
}

}  // namespace

std::optional<SessionRoles> StoreIndex::session_roles(const SessionIdentity& who, std::string& problem) const {
  std::vector<IndexedRole> roles;
  auto add = [&](EntryKind kind, std::string_view name) {
    return add_entry(fd_, slot_count_, slots_at_, size_, kind, name, roles, problem);
  };
  bool ok = true;
  if (who.anonymous) {
    ok = add(EntryKind::Anonymous, "");
  } else {
    ok = add(EntryKind::Named, "") && add(EntryKind::User, who.user);
    for (const auto& group : who.groups)
      if (ok) ok = add(EntryKind::Group, group);
  }
  if (!ok) return std::nullopt;
  // Each entry is closed under includes; the union of closures is the
  // closure of the union. Ids are in name order, so sorting by id sorts names.
  std::sort(roles.begin(), roles.end(), [](const IndexedRole& a, const IndexedRole& b) { return a.id < b.id; });
  SessionRoles out;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (i > 0 && roles[i].id == roles[i - 1].id) continue;
    out.roles.ids.push_back(roles[i].id);
    out.role_names.push_back(std::move(roles[i].name));
    out.global.bits |= roles[i].global;
  }
  return out;
}

std::optional<PathPermissions> StoreIndex::path_permissions(const RoleSet& roles, std::string_view path,
                                                            std::string& problem) const {
  const auto normal = normalize_path(path);
  if (!normal) return PathPermissions{};
  std::string bytes;
  std::size_t at = 0;
  // The state of each role, top-down as Store::path_permissions does it:
  // the deepest assignment or isolation at or above a level decides it.
  std::vector<std::uint32_t> state(roles.ids.size(), 0);
  for (std::size_t k = 0; k < roles.ids.size(); ++k) {
    const std::uint32_t id = roles.ids[k];
    const std::string key(reinterpret_cast<const char*>(&id), sizeof id);
    switch (find_entry(fd_, slot_count_, slots_at_, size_, EntryKind::RoleDefault, key, bytes, at, problem)) {
      case Lookup::Damaged: return std::nullopt;
      case Lookup::Absent: break;
      case Lookup::Found:
        if (at + sizeof(std::uint32_t) != bytes.size()) {
          problem = "an entry is damaged";
          return std::nullopt;
        }
        std::memcpy(&state[k], bytes.data() + at, sizeof(std::uint32_t));
    }
  }
  constexpr auto kExpose = PathPermissions::bit(PathPermission::EXPOSE_BRANCH);
  std::uint32_t exposed = 0;
  const std::string_view p = *normal;
  for (std::size_t i = 0;; ++i) {
    if (i != p.size() && p[i] != '/') continue;
    const bool last = i == p.size();
    switch (find_entry(fd_, slot_count_, slots_at_, size_, EntryKind::Path, p.substr(0, i), bytes, at, problem)) {
      case Lookup::Damaged: return std::nullopt;
      case Lookup::Absent: break;
      case Lookup::Found: {
        const std::uint32_t count = count_of(bytes);
        if (at + sizeof(std::uint32_t) + count * sizeof(detail::PathAssignment) != bytes.size()) {
          problem = "an entry is damaged";
          return std::nullopt;
        }
        std::uint32_t isolated = 0;
        std::memcpy(&isolated, bytes.data() + at, sizeof isolated);
        at += sizeof isolated;
        std::size_t next = 0;
        for (std::size_t k = 0; k < roles.ids.size(); ++k) {
          bool assigned = false;
          // Both lists are sorted by role id: one merge pass.
          while (next < count) {
            detail::PathAssignment a{};
            std::memcpy(&a, bytes.data() + at + next * sizeof a, sizeof a);
            if (a.role < roles.ids[k]) {
              ++next;
              continue;
            }
            if (a.role == roles.ids[k]) {
              state[k] = a.bits;
              assigned = true;
            }
            break;
          }
          if (!assigned && isolated != 0) state[k] = 0;
        }
      }
    }
    // EXPOSE_BRANCH in force at a level above the path is held at the path.
    if (!last)
      for (auto bits : state) exposed |= bits & kExpose;
    if (last) break;
  }
  PathPermissions out;
  for (auto bits : state) out.bits |= bits;
  out.bits |= exposed;
  return out;
}

}  // namespace secstore
