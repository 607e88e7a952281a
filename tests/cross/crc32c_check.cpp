// The index checksum (lib/src/index/format.hpp) on the CPU this runs on, or
// on arm64 under qemu-user (`make cross-check`): no GoogleTest, no library,
// only the header, so a static cross build needs nothing but the compiler.
//
// A bitwise CRC-32C, the tables (crc32c_portable), this CPU's instruction
// (crc32c_sse42 on x86-64, crc32c_armv8 on arm64) and checksum32, whichever
// it chose, agree at every length 0..4200 at every alignment 0..15, and on
// the standard check value. --expect=instruction (or =tables) also says
// which way checksum32 must go here, as the kernel (or qemu's -cpu) tells
// it: HWCAP_CRC32 on arm64, SSE4.2 on x86-64.
//
// Each line a check; last, "N passed, N failed, N skipped"; exit 1 if any failed.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "index/format.hpp"

namespace {

namespace d = secstore::detail;

constexpr std::size_t kMaxLength = 4200;
constexpr std::size_t kAlignments = 16;

int passed = 0, failed = 0, skipped = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  ++(ok ? passed : failed);
}

// The definition, a bit at a time (reflected, initial and final ~0).
std::uint32_t crc32c_bitwise(std::uint32_t c, const unsigned char* p, std::size_t n) {
  for (; n > 0; ++p, --n) {
    c ^= *p;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
  }
  return c;
}

// Which instruction this CPU has, asked as checksum32 asks; nullptr: none.
using Crc = std::uint32_t (*)(std::uint32_t, const unsigned char*, std::size_t);
struct Path {
  const char* name;
  Crc crc;
  const char* why;
};
Path instruction_path() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("sse4.2")) return {"crc32c_sse42", d::crc32c_sse42, "cpuid says SSE4.2"};
  return {"the tables", nullptr, "cpuid says no SSE4.2"};
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (getauxval(AT_HWCAP) & HWCAP_CRC32) return {"crc32c_armv8", d::crc32c_armv8, "AT_HWCAP has HWCAP_CRC32"};
  return {"the tables", nullptr, "AT_HWCAP has no HWCAP_CRC32"};
#else
  return {"the tables", nullptr, "no instruction path for this target"};
#endif
}

std::uint64_t next(std::uint64_t& s) {  // splitmix64
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view expect;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.starts_with("--expect=")) {
      expect = a.substr(9);
    } else {
      std::fprintf(stderr, "usage: %s [--expect=instruction|tables]\n", argv[0]);
      return 2;
    }
  }

  const Path path = instruction_path();
  std::printf("checksum32 here: %s (%s)\n", path.name, path.why);
  if (expect.empty()) {
    ++skipped;
  } else {
    check(expect == (path.crc ? "instruction" : "tables"), "the path is the one --expect names");
  }

  const unsigned char nine[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  check(~crc32c_bitwise(~0u, nine, 9) == 0xE3069283u, "bitwise CRC-32C of \"123456789\" is 0xE3069283");
  check(~d::crc32c_portable(~0u, nine, 9) == 0xE3069283u, "crc32c_portable of \"123456789\" is 0xE3069283");
  check(d::checksum32(nine, 9) == 0xE3069283u, "checksum32 of \"123456789\" is 0xE3069283");
  check(d::checksum32(nullptr, 0) == 0, "checksum32 of nothing (a null pointer) is 0");
  if (path.crc) {
    check(~path.crc(~0u, nine, 9) == 0xE3069283u, "the instruction path of \"123456789\" is 0xE3069283");
  } else {
    ++skipped;
  }

  // 16-byte aligned, so that `at` is the alignment of the data.
  alignas(16) static unsigned char buffer[kAlignments + kMaxLength];
  std::uint64_t seed = 0x6a09e667f3bcc908ull;
  for (unsigned char& b : buffer) b = static_cast<unsigned char>(next(seed) >> 56);

  std::vector<std::uint32_t> want(kMaxLength + 1);
  char what[160];
  for (std::size_t at = 0; at < kAlignments; ++at) {
    const unsigned char* p = buffer + at;
    // The reference of every prefix, in one pass.
    std::uint32_t c = ~0u;
    want[0] = 0;
    for (std::size_t n = 1; n <= kMaxLength; ++n) {
      c = crc32c_bitwise(c, p + n - 1, 1);
      want[n] = ~c;
    }
    std::size_t bad_tables = 0, bad_instruction = 0, bad_checksum = 0, first = kMaxLength + 1;
    for (std::size_t n = 0; n <= kMaxLength; ++n) {
      const bool tables = ~d::crc32c_portable(~0u, p, n) == want[n];
      const bool instruction = !path.crc || ~path.crc(~0u, p, n) == want[n];
      const bool checksum = d::checksum32(p, n) == want[n];
      bad_tables += !tables;
      bad_instruction += !instruction;
      bad_checksum += !checksum;
      if (!(tables && instruction && checksum) && first > kMaxLength) first = n;
    }
    if (first <= kMaxLength) std::printf("alignment %zu: first mismatch at length %zu\n", at, first);
    std::snprintf(what, sizeof what, "alignment %2zu, lengths 0..%zu: crc32c_portable is the bitwise CRC (%zu wrong)",
                  at, kMaxLength, bad_tables);
    check(bad_tables == 0, what);
    if (path.crc) {
      std::snprintf(what, sizeof what, "alignment %2zu, lengths 0..%zu: %s is the bitwise CRC (%zu wrong)", at,
                    kMaxLength, path.name, bad_instruction);
      check(bad_instruction == 0, what);
    } else {
      ++skipped;
    }
    std::snprintf(what, sizeof what, "alignment %2zu, lengths 0..%zu: checksum32 is the bitwise CRC (%zu wrong)", at,
                  kMaxLength, bad_checksum);
    check(bad_checksum == 0, what);
  }

  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed == 0 ? 0 : 1;
}
