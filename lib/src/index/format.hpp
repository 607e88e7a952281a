// The on-disk layout of the compiled policy (SPEC §3, `secstore compile`).
// Native byte order: an index is built on and for the host that reads it,
// and the header's byte-order mark makes a foreign one a mismatch.
//
//   Header                      fixed size, checksummed
//   Sources                     the files and directories compiled from, checksummed
//   Slot[slot_count]            open-addressing table over (kind, name)
//   Entry...                    each checksummed
//
// Every byte the module reads is covered by a checksum, so damage is a
// mismatch (the text is read instead), never a wrong answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace secstore::detail {

inline constexpr char kIndexMagic[8] = {'S', 'E', 'C', 'S', 'I', 'D', 'X', '\0'};
// 4: the configuration and every source's identity; 5: checksum32 (eight
// bytes a step) instead of FNV-1a, a byte a step, which was the largest
// single part of the module's own cost of an indexed open; 6: a Scopes
// entry names each file once, in a table, and its locations by number,
// which halved the entry and what a session open checksums and decodes,
// and checksum32 in four lanes of eight bytes (half the instructions).
inline constexpr std::uint32_t kIndexVersion = 6;
inline constexpr std::uint32_t kByteOrderMark = 0x01020304;

struct IndexHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t byte_order;
  std::uint64_t sources_at;    // file offset of the sources section
  std::uint64_t sources_size;  // its size, its checksum included
  std::uint64_t slot_count;    // a power of two
  std::uint64_t slots_at;      // file offset of the slot table
  std::uint64_t file_size;     // the whole index
  std::uint32_t flags;         // kIndex*
  std::uint32_t checksum;      // of every byte before it
};

// The store sets roles for at least one group.
inline constexpr std::uint32_t kIndexHasGroupRoles = 1;
// Some scope (of the main configuration or an override) selects by group.
inline constexpr std::uint32_t kIndexSelectsByGroup = 2;

// Sources section: the store path and the configuration path it was
// compiled for (u32 length + bytes each), u32 count, then per source: u8
// kind (SourceRecord::Kind), u32 path length, the path, FileIdentity as 7
// u64; last, u32 checksum32 of everything before it in the section.

// kind: which session role list an entry is, a path with something on it,
// one role's default path permissions, or one service's Security scopes.
enum class EntryKind : std::uint8_t {
  Named = 0,
  Anonymous = 1,
  User = 2,
  Group = 3,
  Path = 4,
  RoleDefault = 5,
  Scopes = 6,  // name: the PAM service; "" for the main configuration
};

struct IndexSlot {
  std::uint64_t hash;  // key_hash of the entry's key; 0 with offset 0 = empty
  std::uint64_t entry_at;
  std::uint64_t check;  // slot_check(slot number, hash, entry_at)
};

// Entry: EntryHead, the name, then
//   session lists: role_count x (RoleHead, role name);
//   Path (name: the normalised path): u32 isolated, role_count x PathAssignment
//     sorted by role id;
//   RoleDefault (name: the role id, 4 bytes): u32 default path permission bits;
//   Scopes: the file table (u32 count, then u32 length + name each), then
//     the scopes (index/scopes_codec.cpp), each location a u32 file number
//     in that table, u32 line, u32 column; role_count = how many scopes.
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

// Detects damage, not tampering (the index is as protected as the store).
// Four lanes take 32 bytes a step, each step a bijection of its lane
// (xor, an odd multiplier, then a right shift xored in), so two inputs of
// one length that differ anywhere end with some lane different; each lane
// then goes through a full 64-bit finaliser, whose avalanche carries a
// difference in any bit into the 32 bits kept.
inline std::uint64_t checksum_word(const unsigned char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline std::uint64_t checksum_finish(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

inline std::uint32_t checksum32(const void* data, std::size_t n) {
  constexpr std::uint64_t k = 0x9fb21c651e98df25ull;
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0xc2b2ae3d27d4eb4full, c = 0x165667b19e3779f9ull,
                d = 0x27d4eb2f165667c5ull;
  for (; n >= 32; p += 32, n -= 32) {
    a = (a ^ checksum_word(p)) * k;
    b = (b ^ checksum_word(p + 8)) * k;
    c = (c ^ checksum_word(p + 16)) * k;
    d = (d ^ checksum_word(p + 24)) * k;
    // A multiply alone moves a difference only upward, so one in a word's
    // top bit stays the lane's top bit, where the same flip in the lane's
    // next word cancels it; the shift (a bijection too) brings it down.
    a ^= a >> 29;
    b ^= b >> 29;
    c ^= c >> 29;
    d ^= d >> 29;
  }
  for (; n >= 8; p += 8, n -= 8) {
    a = (a ^ checksum_word(p)) * k;
    a ^= a >> 29;
  }
  std::uint64_t tail = 0;
  if (n > 0) std::memcpy(&tail, p, n);  // p may be null when nothing is left
  b = (b ^ tail) * k;
  const std::uint64_t h =
      checksum_finish(a) ^ checksum_finish(b + 1) * 3 ^ checksum_finish(c + 2) * 5 ^ checksum_finish(d + 3) * 7;
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

inline std::uint64_t key_hash(EntryKind kind, std::string_view name) {
  std::uint64_t h = 14695981039346656037ull;
  h = (h ^ static_cast<std::uint8_t>(kind)) * 1099511628211ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h | 1;  // never 0, which marks an empty slot
}

inline std::uint64_t slot_check(std::uint64_t slot, std::uint64_t hash, std::uint64_t entry_at) {
  std::uint64_t words[3] = {slot, hash, entry_at};
  return checksum32(words, sizeof words) ^ 0x5eedull << 32;
}

inline std::uint32_t header_checksum(const IndexHeader& h) { return checksum32(&h, offsetof(IndexHeader, checksum)); }

}  // namespace secstore::detail
