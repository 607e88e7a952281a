#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory_resource>

#include "eval/role_set.hpp"
#include "index/bytes.hpp"
#include "index/format.hpp"
#include "index/index.hpp"
#include "index/scopes_codec.hpp"
#include "sys/verified_dirs.hpp"

namespace secstore::detail {
namespace {

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

// How much of an index one read takes first: its header and, as `secstore
// compile` writes it, the sources right behind (a few paths), so that
// opening one costs one read, not two.
constexpr std::size_t kFirstRead = 2048;

// Reads what it can of n bytes at `at`: fewer only at the end of the file
// (or on an error).
std::size_t read_up_to(int fd, char* buf, std::size_t n, std::uint64_t at) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd, buf + done, n - done, static_cast<off_t>(at + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

// One source as its section holds it, the path a view into the section.
struct SourceView {
  SourceRecord::Kind kind;
  std::string_view path;
  FileIdentity identity;
};

// Walks a sources section (its checksum left off) and calls `each` for every
// source: false when it is damaged, which may be after some calls.
template <class Each>
bool parse_sources(std::string_view section, std::string_view& store, std::string_view& conf, Each&& each) {
  ByteReader r(section);
  store = r.get_view(r.get<std::uint32_t>());
  conf = r.get_view(r.get<std::uint32_t>());
  const auto count = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    const auto kind = r.get<std::uint8_t>();
    if (kind > static_cast<std::uint8_t>(SourceRecord::Kind::Absent)) return false;
    SourceView source{static_cast<SourceRecord::Kind>(kind), {}, {}};
    source.path = r.get_view(r.get<std::uint32_t>());
    auto& id = source.identity;
    id.dev = r.get<std::uint64_t>();
    id.ino = r.get<std::uint64_t>();
    id.size = r.get<std::uint64_t>();
    id.mtime_sec = r.get<std::int64_t>();
    id.mtime_nsec = r.get<std::int64_t>();
    id.ctime_sec = r.get<std::int64_t>();
    id.ctime_nsec = r.get<std::int64_t>();
    // A path cut short at a NUL byte would name another file: damage.
    if (!r.ok() || source.path.find('\0') != std::string_view::npos) return false;
    each(source);
  }
  return r.ok() && r.at_end();
}

// The sources section whole, its checksum checked and left off (its
// contents are parsed by the caller); nullopt when it is damaged.
// `first`: the index's first `got` bytes, already read.
std::optional<std::string> read_sources(int fd, const IndexHeader& h, const char* first, std::size_t got) {
  if (h.sources_size < sizeof(std::uint32_t) || h.sources_size > (std::uint64_t{1} << 24)) return std::nullopt;
  std::string bytes;
  if (h.sources_at <= got && h.sources_size <= got - h.sources_at) {
    bytes.assign(first + h.sources_at, h.sources_size);
  } else {
    bytes.resize(h.sources_size);
    if (!read_exactly(fd, bytes.data(), bytes.size(), h.sources_at)) return std::nullopt;
  }
  std::uint32_t sum = 0;
  std::memcpy(&sum, bytes.data() + bytes.size() - sizeof sum, sizeof sum);
  if (checksum32(bytes.data(), bytes.size() - sizeof sum) != sum) return std::nullopt;
  bytes.resize(bytes.size() - sizeof sum);
  return bytes;
}

std::uint32_t count_of(std::string_view entry) {
  EntryHead head{};
  std::memcpy(&head, entry.data(), sizeof head);
  return head.role_count;
}

// Whether a source is still what was recorded, as source_change(record)
// says, checking in directories `dirs` has verified where it can. Only an
// unchanged (and safe) source is decided here; the full check says what is
// wrong with any other.
std::string check_source(const SourceView& source, VerifiedDirectories& dirs) {
  if (source.kind == SourceRecord::Kind::Absent) {
    if (dirs.absent(source.path)) return "";
  } else if (auto st = dirs.stat_entry(source.path, source.kind == SourceRecord::Kind::Directory)) {
    if (FileIdentity::of(*st) == source.identity) return "";
  }
  return source_change(SourceRecord{source.kind, std::string(source.path), source.identity});
}

}  // namespace

std::string source_change(const SourceRecord& record) {
  const FileSafety enforce{true};
  switch (record.kind) {
    case SourceRecord::Kind::Absent:
      return path_absent(record.path) ? "" : record.path + " exists now";
    case SourceRecord::Kind::Directory:
    case SourceRecord::Kind::File: {
      auto opened = record.kind == SourceRecord::Kind::File ? open_checked_file(record.path, enforce)
                                                             : open_checked_directory(record.path, enforce);
      if (!opened.ok()) return opened.first_error()->str();
      if (FileIdentity::of(opened.value->st) != record.identity) return record.path + " has changed";
      return "";
    }
  }
  return record.path + " is of an unknown kind";
}

std::string source_change(const SourceRecord& record, VerifiedDirectories& dirs) {
  return check_source(SourceView{record.kind, record.path, record.identity}, dirs);
}

CompiledIndex::CompiledIndex(UniqueFd fd, std::uint64_t slot_count, std::uint64_t slots_at, std::uint64_t size,
                             std::uint32_t flags, std::string sources)
    : fd_(std::move(fd)),
      slot_count_(slot_count),
      slots_at_(slots_at),
      size_(size),
      flags_(flags),
      sources_(std::move(sources)) {}

std::vector<SourceRecord> CompiledIndex::sources() const {
  std::vector<SourceRecord> out;
  std::string_view store, conf;
  // The section was checked whole when the index was read.
  parse_sources(sources_, store, conf, [&](const SourceView& source) {
    out.push_back(SourceRecord{source.kind, std::string(source.path), source.identity});
  });
  return out;
}

std::string CompiledIndex::store_path() const {
  std::string_view store, conf;
  parse_sources(sources_, store, conf, [](const SourceView&) {});
  return std::string(store);
}

std::string CompiledIndex::conf_path() const {
  std::string_view store, conf;
  parse_sources(sources_, store, conf, [](const SourceView&) {});
  return std::string(conf);
}

CompiledIndex::Opened CompiledIndex::open(const PolicyFiles& files) {
  const std::string index_path = policy_index_path(files.store);
  if (path_absent(index_path)) return {};
  // The index and its sources share a few directories: each is walked once.
  VerifiedDirectories dirs;
  std::optional<OpenedFile> index = dirs.open_file(index_path);
  if (!index) {
    auto opened = open_checked_file(index_path, FileSafety{true});
    if (!opened.ok()) return Opened{nullptr, opened.first_error()->message};
    index = std::move(*opened.value);
  }
  const auto size = static_cast<std::uint64_t>(index->st.st_size);
  return read(std::move(index->fd), size, &files, &dirs);
}

CompiledIndex::Opened CompiledIndex::read(UniqueFd fd, std::uint64_t size, const PolicyFiles* expected,
                                          VerifiedDirectories* dirs) {
  auto stale = [](const std::string& why) { return Opened{nullptr, why}; };
  char first[kFirstRead];
  IndexHeader h{};
  // A header's worth at least, as `size` may be wrong: the header says so.
  const std::size_t got =
      read_up_to(fd.get(), first, std::min<std::uint64_t>(std::max<std::uint64_t>(size, sizeof h), sizeof first), 0);
  if (got < sizeof h) return stale("it is truncated");
  std::memcpy(&h, first, sizeof h);
  if (std::memcmp(h.magic, kIndexMagic, sizeof h.magic) != 0 || h.byte_order != kByteOrderMark)
    return stale("it is not a secstore index");
  if (h.version != kIndexVersion) return stale("it was written by another version of secstore");
  if (h.checksum != header_checksum(h)) return stale("its header is damaged");
  if (h.file_size != size) return stale("it is truncated or extended");
  if (h.slot_count == 0 || (h.slot_count & (h.slot_count - 1)) != 0 || h.slots_at < sizeof h ||
      h.slot_count > h.file_size / sizeof(IndexSlot) ||
      h.slots_at > h.file_size - h.slot_count * sizeof(IndexSlot) || h.sources_at < sizeof h ||
      h.sources_size > h.file_size || h.sources_at > h.file_size - h.sources_size)
    return stale("its header is damaged");
  auto sources = read_sources(fd.get(), h, first, got);
  if (!sources) return stale("its list of sources is damaged");
  std::string_view store, conf;
  // One walk of the section checks it and, with `expected`, each source.
  // The store and conf paths come first in it, so a source is looked at
  // only once they are the expected ones; what is reported keeps its
  // order: damage, then the store, the configuration, a changed source.
  VerifiedDirectories own;
  VerifiedDirectories& verified = dirs ? *dirs : own;
  auto compiled_for_expected = [&] {
    // No configuration asked for (store-only questions): any will do.
    return store == expected->store && (expected->conf.empty() || conf == expected->conf);
  };
  std::string why;
  const bool intact = parse_sources(*sources, store, conf, [&](const SourceView& source) {
    if (expected && why.empty() && compiled_for_expected()) why = check_source(source, verified);
  });
  if (!intact) return stale("its list of sources is damaged");
  if (expected) {
    if (store != expected->store) return stale("it was compiled for the store " + std::string(store));
    if (!expected->conf.empty() && conf != expected->conf)
      return stale("it was compiled for the configuration " + std::string(conf));
    if (!why.empty()) return stale(why + " since it was compiled");
  }
  return Opened{std::make_shared<const CompiledIndex>(std::move(fd), h.slot_count, h.slots_at, h.file_size, h.flags,
                                                      std::move(*sources)),
                ""};
}

CompiledIndex::Lookup CompiledIndex::find(std::uint8_t kind, std::string_view name, ByteBuffer& bytes,
                                          std::size_t& at, std::string& problem) const {
  return find_at(kind, name, bytes, 0, at, problem);
}

CompiledIndex::Lookup CompiledIndex::find_at(std::uint8_t kind, std::string_view name, ByteBuffer& bytes,
                                             std::size_t begin, std::size_t& at, std::string& problem) const {
  const std::uint64_t h = key_hash(static_cast<EntryKind>(kind), name);
  // A few slots a read (never past the table's end), so that a probe that
  // goes on to the next slot costs no system call of its own.
  constexpr std::uint64_t kSlotsARead = 4;
  IndexSlot slots[kSlotsARead];
  std::uint64_t read_count = 0, next = 0;
  for (std::uint64_t probes = 0, i = h & (slot_count_ - 1); probes < slot_count_;
       ++probes, i = (i + 1) & (slot_count_ - 1)) {
    if (next == read_count) {
      read_count = std::min(kSlotsARead, slot_count_ - i);
      next = 0;
      if (!read_exactly(fd_.get(), slots, read_count * sizeof(IndexSlot), slots_at_ + i * sizeof(IndexSlot))) {
        problem = "a slot of its table is damaged";
        return Lookup::Damaged;
      }
    }
    const IndexSlot& slot = slots[next++];
    if (slot.check != slot_check(i, slot.hash, slot.entry_at)) {
      problem = "a slot of its table is damaged";
      return Lookup::Damaged;
    }
    if (slot.entry_at == 0) return Lookup::Absent;
    if (slot.hash != h) continue;
    EntryHead head{};
    if (slot.entry_at > size_ || size_ - slot.entry_at < sizeof head) {
      problem = "an entry is damaged";
      return Lookup::Damaged;
    }
    // The head and, as far as the buffer has room (most entries are
    // smaller), the entry in one read; the rest, if any, in a second.
    const std::size_t room = std::max(bytes.capacity() - std::min(bytes.capacity(), begin), sizeof head);
    const auto first = static_cast<std::size_t>(std::min<std::uint64_t>(room, size_ - slot.entry_at));
    bytes.resize_for_overwrite(begin + first);
    const std::size_t got = read_up_to(fd_.get(), bytes.data() + begin, first, slot.entry_at);
    if (got >= sizeof head) std::memcpy(&head, bytes.data() + begin, sizeof head);
    if (got < sizeof head || head.size < sizeof head || head.size > size_ - slot.entry_at) {
      problem = "an entry is damaged";
      return Lookup::Damaged;
    }
    bytes.resize_for_overwrite(begin + head.size);
    char* const entry = bytes.data() + begin;
    if (head.size > got && !read_exactly(fd_.get(), entry + got, head.size - got, slot.entry_at + got)) {
      problem = "an entry cannot be read";
      return Lookup::Damaged;
    }
    const std::size_t covered = offsetof(EntryHead, kind);
    if (checksum32(entry + covered, head.size - covered) != head.checksum || head.name_size > head.size - sizeof head) {
      problem = "an entry is damaged";
      return Lookup::Damaged;
    }
    if (head.kind != kind || std::string_view(entry + sizeof head, head.name_size) != name)
      continue;  // a hash collision
    at = sizeof head + head.name_size;
    return Lookup::Found;
  }
  problem = "its table is damaged";
  return Lookup::Damaged;
}

std::optional<SessionAccess> CompiledIndex::session_access(const SessionSubject& who, std::string& problem) const {
  // Names stay where they are in their entries' bytes until the duplicates
  // are gone: a session's lists overlap (each is closed under includes).
  // Sixteen bytes, for the sort to move: the global bits are read from
  // the head, which ends where the name starts, once the duplicates are gone.
  struct Role {
    std::uint32_t id;
    std::uint32_t name_size;
    std::size_t name_at;  // in `entries`
  };
  // The entries one after another in one buffer, not one buffer each; as
  // it grows it moves, so names are offsets into it, not views. A
  // session's lists are a few hundred bytes and a few dozen roles: both
  // start on the stack, the roles with room for as many as it holds.
  std::array<char, 4096> first_entries;
  ByteBuffer entries(first_entries);
  alignas(std::max_align_t) std::array<std::byte, 2048> first_roles;
  std::pmr::monotonic_buffer_resource role_arena(first_roles.data(), first_roles.size(),
                                                 std::pmr::new_delete_resource());
  std::pmr::vector<Role> roles(arena_or_heap(role_arena));
  roles.reserve(first_roles.size() / sizeof(Role));
  auto add = [&](EntryKind kind, std::string_view name) {
    const std::size_t begin = entries.size();
    std::size_t at = 0;
    switch (find_at(static_cast<std::uint8_t>(kind), name, entries, begin, at, problem)) {
      case Lookup::Absent: entries.resize_for_overwrite(begin); return true;
      case Lookup::Damaged: return false;
      case Lookup::Found: break;
    }
    const std::string_view entry = entries.view().substr(begin);
    ByteReader r(entry.substr(at));
    const std::uint32_t count = count_of(entry);
    // As many as the entry can hold, whatever its count says; a few lists
    // of a few roles each take one allocation.
    const std::size_t needed = roles.size() + std::min<std::size_t>(count, r.left() / sizeof(RoleHead));
    if (needed > roles.capacity()) roles.reserve(std::max({needed, 2 * roles.capacity(), std::size_t{32}}));
    for (std::uint32_t k = 0; k < count; ++k) {
      // A head and its name, one bounds check each (a null `take` is damage).
      const char* p = r.take(sizeof(RoleHead));
      if (p == nullptr) break;
      RoleHead head;
      std::memcpy(&head, p, sizeof head);
      const std::size_t name_at = begin + at + r.offset();
      if (r.take(head.name_size) == nullptr) break;
      roles.push_back({head.id, head.name_size, name_at});
    }
    if (!r.ok() || !r.at_end()) {
      problem = "an entry is damaged";
      return false;
    }
    return true;
  };
  // The same lists as the text (eval/session_lists.hpp), from the entries
  // each already closed under includes: the union of closures is the
  // closure of the union.
  bool ok = true;
  if (who.anonymous) {
    ok = add(EntryKind::Anonymous, "");
  } else {
    ok = add(EntryKind::Named, "") && add(EntryKind::User, who.user);
    for (const auto& group : who.groups)
      if (ok) ok = add(EntryKind::Group, group.name);
  }
  if (!ok) return std::nullopt;
  std::sort(roles.begin(), roles.end(), [](const Role& a, const Role& b) { return a.id < b.id; });
  SessionAccess access;
  std::vector<std::uint32_t> ids;
  ids.reserve(roles.size());
  access.role_names.reserve(roles.size());
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (i > 0 && roles[i].id == roles[i - 1].id) continue;
    ids.push_back(roles[i].id);
    const char* const name = entries.data() + roles[i].name_at;
    access.role_names.emplace_back(name, roles[i].name_size);  // ids are in name order
    std::uint32_t global;
    std::memcpy(&global, name - sizeof(RoleHead) + offsetof(RoleHead, global), sizeof global);
    access.global.bits |= global;
  }
  access.roles = RoleSetAccess::make(shared_from_this(), std::move(ids));
  return access;
}

std::optional<PathPermissions> CompiledIndex::path_permissions(const RoleSet& roles, std::string_view path,
                                                               std::string& problem) const {
  std::string storage;
  const std::string_view normal = normal_view(path, storage);
  if (normal.empty()) return PathPermissions{};
  const auto ids = RoleSetAccess::ids_for(roles, this);
  ByteBuffer bytes;
  std::size_t at = 0;
  std::vector<PathPermissions> defaults(ids.size());
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const std::uint32_t id = ids[k];
    const std::string key(reinterpret_cast<const char*>(&id), sizeof id);
    switch (find(static_cast<std::uint8_t>(EntryKind::RoleDefault), key, bytes, at, problem)) {
      case Lookup::Damaged: return std::nullopt;
      case Lookup::Absent: break;
      case Lookup::Found:
        if (at + sizeof(std::uint32_t) != bytes.size()) {
          problem = "an entry is damaged";
          return std::nullopt;
        }
        std::memcpy(&defaults[k].bits, bytes.data() + at, sizeof(std::uint32_t));
    }
  }
  // The index's levels for the one walk (eval/walk.cpp).
  std::vector<std::vector<RoleAssignment>> assignments;
  std::vector<WalkLevel> levels;
  std::uint32_t level = 0;
  for (std::size_t i = 0;; ++i) {
    if (i != normal.size() && normal[i] != '/') continue;
    switch (find(static_cast<std::uint8_t>(EntryKind::Path), normal.substr(0, i), bytes, at, problem)) {
      case Lookup::Damaged: return std::nullopt;
      case Lookup::Absent: break;
      case Lookup::Found: {
        const std::uint32_t count = count_of(bytes.view());
        if (at + sizeof(std::uint32_t) + std::uint64_t{count} * sizeof(PathAssignment) != bytes.size()) {
          problem = "an entry is damaged";
          return std::nullopt;
        }
        ByteReader r(bytes.view().substr(at));
        const bool isolated = r.get<std::uint32_t>() != 0;
        std::vector<RoleAssignment> list;
        for (std::uint32_t k = 0; k < count; ++k) {
          const auto a = r.get<PathAssignment>();
          if (!list.empty() && list.back().role >= a.role) {
            problem = "an entry is damaged";
            return std::nullopt;
          }
          list.push_back(RoleAssignment{a.role, PathPermissions{a.bits}, {}});
        }
        assignments.push_back(std::move(list));
        levels.push_back(WalkLevel{level, isolated, {}, nullptr});
      }
    }
    ++level;
    if (i == normal.size()) break;
  }
  for (std::size_t k = 0; k < levels.size(); ++k) levels[k].assignments = assignments[k];
  return walk_path(level, levels, ids, defaults);
}

std::unique_ptr<const CompiledScopes> CompiledIndex::scope_views(std::string_view service,
                                                                 std::string& problem) const {
  auto out = std::make_unique<CompiledScopes>();
  std::size_t at = 0;
  auto lookup = find(static_cast<std::uint8_t>(EntryKind::Scopes), service, out->bytes, at, problem);
  if (lookup == Lookup::Absent && !service.empty())
    lookup = find(static_cast<std::uint8_t>(EntryKind::Scopes), "", out->bytes, at, problem);
  if (lookup == Lookup::Damaged) return nullptr;
  if (lookup == Lookup::Absent) {
    out->bytes.clear();
    return out;
  }
  if (!decode_scopes(out->bytes.view().substr(at), count_of(out->bytes.view()), static_cast<const void*>(this), *out)) {
    problem = "an entry is damaged";
    return nullptr;
  }
  return out;
}

std::optional<std::vector<SecurityScope>> CompiledIndex::scopes(std::string_view service,
                                                                std::string& problem) const {
  auto views = scope_views(service, problem);
  if (!views) return std::nullopt;
  return to_scopes(*views);
}

}  // namespace secstore::detail
