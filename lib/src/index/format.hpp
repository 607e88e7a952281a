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

#if defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <arm_acle.h>
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace secstore::detail {

inline constexpr char kIndexMagic[8] = {'S', 'E', 'C', 'S', 'I', 'D', 'X', '\0'};
// 4: the configuration and every source's identity; 5: checksum32 (eight
// bytes a step) instead of FNV-1a, a byte a step, which was the largest
// single part of the module's own cost of an indexed open; 6: a Scopes
// entry names each file once, in a table, and its locations by number,
// which halved the entry and what a session open checksums and decodes,
// and checksum32 in four lanes of eight bytes (half the instructions); 7:
// checksum32 is CRC-32C, which a CPU computes eight bytes an instruction
// (a third of the instructions again) and whose detection of few-bit
// damage is certain, not likely.
inline constexpr std::uint32_t kIndexVersion = 7;
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

// Detects damage, not tampering (the index is as protected as the store):
// CRC-32C (Castagnoli, as iSCSI, ext4 and btrfs use it), which finds every
// error of up to three bits at any length an index holds, of up to five in
// up to 655 bytes (a header, every role list) and every burst of up to 32
// bits, where a hash finds them only with high odds. Most CPUs take eight
// bytes an instruction (x86-64's SSE4.2, arm64's CRC instructions: optional
// in ARMv8.0, always there from v8.1); elsewhere tables take eight a step.
inline std::uint64_t checksum_word(const unsigned char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

struct Crc32cTables {
  std::uint32_t t[8][256];
};

// Slicing by eight: t[k][b] is the CRC of byte b followed by k zero bytes.
consteval Crc32cTables crc32c_tables() {
  constexpr std::uint32_t kPolynomial = 0x82f63b78;  // reflected
  Crc32cTables x{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    x.t[0][b] = c;
  }
  for (int k = 1; k < 8; ++k)
    for (int b = 0; b < 256; ++b) x.t[k][b] = (x.t[k - 1][b] >> 8) ^ x.t[0][x.t[k - 1][b] & 0xff];
  return x;
}
inline constexpr Crc32cTables kCrc32c = crc32c_tables();

// Bytes taken one by one, so in any byte order.
inline std::uint32_t crc32c_portable(std::uint32_t c, const unsigned char* p, std::size_t n) {
  const auto& t = kCrc32c.t;
  for (; n >= 8; p += 8, n -= 8) {
    c ^= std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
    c = t[7][c & 0xff] ^ t[6][(c >> 8) & 0xff] ^ t[5][(c >> 16) & 0xff] ^ t[4][c >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^
        t[1][p[6]] ^ t[0][p[7]];
  }
  for (; n > 0; ++p, --n) c = (c >> 8) ^ t[0][(c ^ *p) & 0xff];
  return c;
}

#if defined(__x86_64__)
// The instruction takes a word in memory order, which on x86 is the order
// of its bytes: the same CRC as crc32c_portable.
__attribute__((target("sse4.2"))) inline std::uint32_t crc32c_sse42(std::uint32_t c32, const unsigned char* p,
                                                                      std::size_t n) {
  std::uint64_t c = c32;
  for (; n >= 32; p += 32, n -= 32) {
    c = __builtin_ia32_crc32di(c, checksum_word(p));
    c = __builtin_ia32_crc32di(c, checksum_word(p + 8));
    c = __builtin_ia32_crc32di(c, checksum_word(p + 16));
    c = __builtin_ia32_crc32di(c, checksum_word(p + 24));
  }
  for (; n >= 8; p += 8, n -= 8) c = __builtin_ia32_crc32di(c, checksum_word(p));
  c32 = static_cast<std::uint32_t>(c);
  if (n & 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    c32 = __builtin_ia32_crc32si(c32, w);
    p += 4;
  }
  if (n & 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    c32 = __builtin_ia32_crc32hi(c32, w);
    p += 2;
  }
  if (n & 1) c32 = __builtin_ia32_crc32qi(c32, *p);
  return c32;
}
#endif

#if defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
// The same loop on arm64. Its instructions, too, take a word's low byte
// first, which a little-endian load makes the first byte in memory; a
// big-endian arm64 build (no Debian port) would need each word swapped, and
// uses the tables instead.
__attribute__((target("+crc"))) inline std::uint32_t crc32c_armv8(std::uint32_t c, const unsigned char* p,
                                                                   std::size_t n) {
  for (; n >= 32; p += 32, n -= 32) {
    c = __crc32cd(c, checksum_word(p));
    c = __crc32cd(c, checksum_word(p + 8));
    c = __crc32cd(c, checksum_word(p + 16));
    c = __crc32cd(c, checksum_word(p + 24));
  }
  for (; n >= 8; p += 8, n -= 8) c = __crc32cd(c, checksum_word(p));
  if (n & 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    c = __crc32cw(c, w);
    p += 4;
  }
  if (n & 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    c = __crc32ch(c, w);
    p += 2;
  }
  if (n & 1) c = __crc32cb(c, *p);
  return c;
}
#endif

inline std::uint32_t checksum32(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);  // may be null when n is 0
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return ~crc32c_sse42(~0u, p, n);
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // The kernel's word for what this CPU has: glibc answers AT_HWCAP from a
  // copy it keeps, so asking each time costs a call, not a system call.
  if (getauxval(AT_HWCAP) & HWCAP_CRC32) return ~crc32c_armv8(~0u, p, n);
#endif
  return ~crc32c_portable(~0u, p, n);
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
