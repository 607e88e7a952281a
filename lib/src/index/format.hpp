// The on-disk layout of a compiled store index (store_index.hpp). Native
// byte order: an index is built on and for the host that reads it, and the
// header's byte-order mark makes a foreign one a mismatch.
//
//   Header                      fixed size, checksummed
//   Slot[slot_count]            open-addressing table over (kind, name)
//   Entry...                    one per session role list, each checksummed
//
// Every byte the module reads is covered by a checksum, so damage is a
// mismatch (fallback to the text), never a wrong answer.
#pragma once

#include <cstdint>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace secstore::detail {

inline constexpr char kIndexMagic[8] = {'S', 'E', 'C', 'S', 'I', 'D', 'X', '\0'};
inline constexpr std::uint32_t kIndexVersion = 3;  // 3: header flags
inline constexpr std::uint32_t kByteOrderMark = 0x01020304;

struct IndexHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t byte_order;
  // The store file the index was compiled from (fstat of its descriptor).
  std::uint64_t dev;
  std::uint64_t ino;
  std::uint64_t size;
  std::int64_t mtime_sec;
  std::int64_t mtime_nsec;
  std::int64_t ctime_sec;
  std::int64_t ctime_nsec;
  std::uint64_t slot_count;  // a power of two
  std::uint64_t slots_at;    // file offset of the slot table
  std::uint64_t file_size;   // the whole index
  std::uint32_t flags;     // kIndexHasGroupRoles
  std::uint32_t checksum;  // of every byte before it
};

// The store sets roles for at least one group: without that, a session's
// groups cannot change its roles and the module need not ask NSS for them.
inline constexpr std::uint32_t kIndexHasGroupRoles = 1;

// kind: which session role list an entry is, or a path with something on
// it (for require_path=), or one role's default path permissions.
enum class EntryKind : std::uint8_t { Named = 0, Anonymous = 1, User = 2, Group = 3, Path = 4, RoleDefault = 5 };

struct IndexSlot {
  std::uint64_t hash;  // key_hash of the entry's key; 0 with offset 0 = empty
  std::uint64_t entry_at;
  std::uint64_t check;  // slot_check(slot number, hash, entry_at)
};

// Entry: EntryHead, the name, then
//   session lists: role_count × (RoleHead, role name);
//   Path (name: the normalised path): u32 isolated, role_count × PathAssignment
//     sorted by role id;
//   RoleDefault (name: the role id, 4 bytes): u32 default path permission bits.
// `checksum` covers every byte of the entry after the checksum field.
struct EntryHead {
  std::uint32_t size;  // the whole entry
  std::uint32_t checksum;
  std::uint8_t kind;
  std::uint8_t reserved[3];
  std::uint32_t name_size;
  std::uint32_t role_count;
};

struct RoleHead {
  std::uint32_t id;      // role id in the store (name order)
  std::uint32_t global;  // GlobalPermissions bits
  std::uint32_t name_size;
};

struct PathAssignment {
  std::uint32_t role;
  std::uint32_t bits;  // PathPermissions
};

inline std::uint32_t fnv32(const void* data, std::size_t n, std::uint32_t h = 2166136261u) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

inline std::uint64_t key_hash(EntryKind kind, std::string_view name) {
  std::uint64_t h = 14695981039346656037ull;
  h = (h ^ static_cast<std::uint8_t>(kind)) * 1099511628211ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h | 1;  // never 0, which marks an empty slot
}

inline std::uint64_t slot_check(std::uint64_t slot, std::uint64_t hash, std::uint64_t entry_at) {
  std::uint64_t words[3] = {slot, hash, entry_at};
  return fnv32(words, sizeof words) ^ 0x5eedull << 32;
}

inline std::uint32_t header_checksum(const IndexHeader& h) {
  return fnv32(&h, offsetof(IndexHeader, checksum));
}

}  // namespace secstore::detail
