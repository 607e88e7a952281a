// `secstore compile`: writes the compiled index of a store (store_index.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "secstore/store_index.hpp"
#include "store/data.hpp"
#include "eval/walk.hpp"
#include "index/format.hpp"
#include "sys/unique_fd.hpp"

namespace secstore {
namespace detail {

struct StoreAccess {
  static const StoreData& data(const Store& store) { return *store.data_; }
};

}  // namespace detail

namespace {

using detail::UniqueFd;

using detail::EntryKind;

template <class T>
void append(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

struct Key {
  EntryKind kind;
  std::string name;
  const detail::RoleList* list = nullptr;  // session lists
  const detail::PathNode* node = nullptr;  // Path
  std::uint32_t role = 0;                  // RoleDefault
};

// One entry: a session list's closure with names and global bits, a path's
// assignments, or a role's default path permissions.
std::string make_entry(const detail::StoreData& d, const Key& key) {
  std::string body;
  std::uint32_t count = 0;
  if (key.list != nullptr) {
    for (auto id : detail::closure(d, key.list->roles)) {
      const std::string& name = d.roles[id].name;
      detail::RoleHead head{id, d.global_of[id].bits, static_cast<std::uint32_t>(name.size())};
      append(body, head);
      body += name;
      ++count;
    }
  } else if (key.node != nullptr) {
    append(body, std::uint32_t{key.node->isolated ? 1u : 0u});
    for (const auto& a : key.node->assignments) {  // sorted by role id
      append(body, detail::PathAssignment{a.role, a.permissions.bits});
      ++count;
    }
  } else {
    append(body, d.default_of[key.role].bits);
  }
  detail::EntryHead head{};
  head.kind = static_cast<std::uint8_t>(key.kind);
  head.name_size = static_cast<std::uint32_t>(key.name.size());
  head.role_count = count;
  head.size = static_cast<std::uint32_t>(sizeof head + key.name.size() + body.size());
  std::string entry;
  append(entry, head);
  entry += key.name;
  entry += body;
  const std::size_t covered = offsetof(detail::EntryHead, kind);
  const std::uint32_t sum = detail::fnv32(entry.data() + covered, entry.size() - covered);
  std::memcpy(entry.data() + offsetof(detail::EntryHead, checksum), &sum, sizeof sum);
  return entry;
}

std::string index_bytes(const detail::StoreData& d, const struct stat& st) {
  std::vector<Key> keys;
  if (d.named_sessions) keys.push_back({EntryKind::Named, "", &*d.named_sessions});
  if (d.anonymous_sessions) keys.push_back({EntryKind::Anonymous, "", &*d.anonymous_sessions});
  for (const auto& [user, list] : d.user_roles)
    keys.push_back({EntryKind::User, user, &list});
  for (const auto& [group, list] : d.group_roles)
    keys.push_back({EntryKind::Group, group, &list});
  for (const auto& node : d.nodes) keys.push_back({EntryKind::Path, node.path, nullptr, &node});
  for (std::uint32_t id = 0; id < d.default_of.size(); ++id)
    if (!d.default_of[id].empty())
      keys.push_back({EntryKind::RoleDefault, std::string(reinterpret_cast<const char*>(&id), sizeof id),
                      nullptr, nullptr, id});

  std::uint64_t slot_count = 8;
  while (slot_count < keys.size() * 2) slot_count *= 2;  // load factor <= 0.5
  const std::uint64_t slots_at = sizeof(detail::IndexHeader);
  std::vector<detail::IndexSlot> slots(slot_count, detail::IndexSlot{0, 0, 0});
  std::string entries;
  std::uint64_t next_at = slots_at + slot_count * sizeof(detail::IndexSlot);
  for (const auto& key : keys) {
    const std::uint64_t h = detail::key_hash(key.kind, key.name);
    std::uint64_t i = h & (slot_count - 1);
    while (slots[i].entry_at != 0) i = (i + 1) & (slot_count - 1);
    slots[i].hash = h;
    slots[i].entry_at = next_at;
    std::string entry = make_entry(d, key);
    next_at += entry.size();
    entries += entry;
  }
  for (std::uint64_t i = 0; i < slot_count; ++i)
    slots[i].check = detail::slot_check(i, slots[i].hash, slots[i].entry_at);

  detail::IndexHeader header{};
  std::memcpy(header.magic, detail::kIndexMagic, sizeof header.magic);
  header.version = detail::kIndexVersion;
  header.flags = d.group_roles.empty() ? 0 : detail::kIndexHasGroupRoles;
  header.byte_order = detail::kByteOrderMark;
  header.dev = st.st_dev;
  header.ino = st.st_ino;
  header.size = static_cast<std::uint64_t>(st.st_size);
  header.mtime_sec = st.st_mtim.tv_sec;
  header.mtime_nsec = st.st_mtim.tv_nsec;
  header.ctime_sec = st.st_ctim.tv_sec;
  header.ctime_nsec = st.st_ctim.tv_nsec;
  header.slot_count = slot_count;
  header.slots_at = slots_at;
  header.file_size = next_at;
  header.checksum = detail::header_checksum(header);

  std::string out;
  out.reserve(next_at);
  append(out, header);
  out.append(reinterpret_cast<const char*>(slots.data()), slots.size() * sizeof(detail::IndexSlot));
  out += entries;
  return out;
}

bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

Outcome<std::string> io_failure(const std::string& path, const std::string& what, int err) {
  return Outcome<std::string>::failure(
      make_error(Location{path, 0, 0}, what + ": " + std::strerror(err)));
}

// A temporary file in the index's directory, fsynced, renamed over it.
Outcome<std::string> write_atomically(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return io_failure(path, "cannot create a temporary file beside the index", errno);
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_failure(path, what, err);
  };
  if (::fchmod(fd.get(), 0644) != 0) return fail("cannot set the index's mode");
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write the index");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("cannot write the index to disk");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot put the index in place");
  Outcome<std::string> out;
  out.value = path;
  return out;
}

}  // namespace

std::string store_index_path(const std::string& store_path) { return store_path + ".idx"; }

Outcome<std::string> compile_store_index(const std::string& store_path, const FileSafety& safety) {
  Location at{store_path, 0, 0};
  UniqueFd fd(::open(store_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return io_failure(store_path, "cannot open the store", errno);
  struct stat before {};
  if (::fstat(fd.get(), &before) != 0) return io_failure(store_path, "cannot stat the store", errno);
  if (!S_ISREG(before.st_mode))
    return Outcome<std::string>::failure(make_error(at, "expected a regular file"));
  if (safety.require_root_owned && (before.st_uid != 0 || (before.st_mode & (S_IWGRP | S_IWOTH))))
    return Outcome<std::string>::failure(make_error(
        at, "refusing an unsafe store: it must be owned by root and not writable by group or others"));
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure(store_path, "cannot read the store", errno);
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  struct stat after {};
  if (::fstat(fd.get(), &after) != 0) return io_failure(store_path, "cannot stat the store", errno);
  if (!same_file_state(before, after) || static_cast<off_t>(text.size()) != after.st_size)
    return Outcome<std::string>::failure(
        make_error(at, "the store changed while it was being read; run the command again"));
  auto store = Store::parse(text, store_path);
  if (!store.ok()) {
    Outcome<std::string> out;
    out.diagnostics = std::move(store.diagnostics);
    return out;
  }
  auto out = write_atomically(store_index_path(store_path),
                              index_bytes(detail::StoreAccess::data(*store.value), after));
  out.diagnostics.insert(out.diagnostics.begin(), store.diagnostics.begin(), store.diagnostics.end());
  return out;
}

Outcome<std::string> compile_store_index(const Store& store, const std::string& store_path) {
  struct stat st {};
  if (::stat(store_path.c_str(), &st) != 0) return io_failure(store_path, "cannot stat the store", errno);
  return write_atomically(store_index_path(store_path), index_bytes(detail::StoreAccess::data(store), st));
}

}  // namespace secstore
