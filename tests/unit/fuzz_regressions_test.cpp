// Replays the fuzz corpora (tests/fuzz/corpus/TARGET and
// tests/fuzz/regressions/TARGET) through the fuzz targets' own checks, so
// that every input that ever broke a parser keeps being tried by `make
// check`, with the ordinary compiler and, under SANITIZE=, the sanitizers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_checks.hpp"
#include "fuzz/index_checks.hpp"

namespace {

namespace fs = std::filesystem;

struct Input {
  std::string path;
  std::string bytes;
};

// Every file of the target's seed and regression corpora (dot-files are
// bookkeeping, not inputs).
std::vector<Input> inputs_of(const std::string& target) {
  std::vector<Input> out;
  for (const char* corpus : {"corpus", "regressions"}) {
    fs::path dir = fs::path(SECSTORE_SOURCE_DIR) / "tests/fuzz" / corpus / target;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      out.push_back(Input{entry.path().string(),
                          std::string(std::istreambuf_iterator<char>(in), {})});
    }
  }
  return out;
}

template <class Check>
void replay(const std::string& target, Check check) {
  std::vector<Input> inputs = inputs_of(target);
  // The seed corpus is in the repository: an empty list means the test
  // looked in the wrong place, not that there is nothing to check.
  ASSERT_GE(inputs.size(), 5u) << "no fuzz corpus found for " << target;
  for (const auto& input : inputs) EXPECT_EQ(check(input.bytes), "") << input.path;
}

TEST(FuzzRegressions, StoreInputsParseOrFailCleanlyAndRoundTrip) {
  replay("store", [](const std::string& bytes) { return secstore::fuzz::check_store(bytes); });
}

TEST(FuzzRegressions, ApplyScriptsBehaveAsTheStoreFollowedByTheScript) {
  replay("apply", [](const std::string& bytes) { return secstore::fuzz::check_apply(bytes); });
}

TEST(FuzzRegressions, IndexImagesAreReadOrRefusedWithAReason) {
  replay("index", [](const std::string& bytes) { return secstore::fuzz::check_index(bytes); });
  // The seeds are real indexes (tests/fuzz/make_seeds.py --index): the
  // reader takes them, so mutations start from something it reads.
  for (const auto& seed : inputs_of("index"))
    if (seed.path.find("/corpus/") != std::string::npos) {
      EXPECT_EQ(secstore::fuzz::index_refusal(seed.bytes), "") << seed.path;
    }
}

// The rich index seed's bytes ("" when it is missing), for tests that
// damage one field behind its checksum.
std::string rich_index_seed() {
  for (const auto& input : inputs_of("index"))
    if (input.path.ends_with("/corpus/index/rich")) return input.bytes;
  return "";
}

std::uint32_t u32_at(const std::string& image, std::size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, image.data() + at, sizeof v);
  return v;
}

// A path cut short by a NUL byte would be checked as another file (the
// directory above it, "..\0x" as ".."): a source path holding one is damage,
// even with every checksum right.
TEST(FuzzRegressions, ASourcePathHoldingANulByteIsDamage) {
  std::string image = rich_index_seed();
  ASSERT_FALSE(image.empty());
  secstore::detail::IndexHeader h{};
  std::memcpy(&h, image.data(), sizeof h);
  // The sources section: the store's and the conf's paths (u32 length and
  // bytes each), a u32 count, then the first source: u8 kind, u32 length,
  // its path.
  std::size_t at = h.sources_at;
  at += 4 + u32_at(image, at);
  at += 4 + u32_at(image, at);
  ASSERT_GT(u32_at(image, at), 0u);
  at += 4 + 1;
  const std::uint32_t length = u32_at(image, at);
  ASSERT_GT(length, 2u);
  ASSERT_EQ(image[at + 4], '/');
  image[at + 4 + length - 1] = '\0';  // "/etc/x/Security.store" -> "/etc/x/Security.stor\0"
  secstore::fuzz::repair_index_checksums(image);
  EXPECT_EQ(secstore::fuzz::index_refusal(image), "its list of sources is damaged");
}

// A location names its file by its number in the Scopes entry's file table:
// a number past the table's end is damage, even with every checksum right,
// never a location in no file or in another entry's bytes.
TEST(FuzzRegressions, AFileNumberPastTheScopesFileTableIsDamage) {
  std::string image = rich_index_seed();
  ASSERT_FALSE(image.empty());
  secstore::detail::IndexHeader h{};
  std::memcpy(&h, image.data(), sizeof h);
  // The main configuration's Scopes entry: the one of kind Scopes named "".
  std::size_t body = 0;
  for (std::uint64_t i = 0; i < h.slot_count && body == 0; ++i) {
    secstore::detail::IndexSlot slot{};
    std::memcpy(&slot, image.data() + h.slots_at + i * sizeof slot, sizeof slot);
    if (slot.entry_at == 0) continue;
    secstore::detail::EntryHead head{};
    std::memcpy(&head, image.data() + slot.entry_at, sizeof head);
    if (head.kind == static_cast<std::uint8_t>(secstore::detail::EntryKind::Scopes) && head.name_size == 0 &&
        head.role_count > 0)
      body = slot.entry_at + sizeof head;
  }
  ASSERT_NE(body, 0u);
  // The file table (u32 count, then u32 length and bytes each), then the
  // first scope: u8 flags, u32 length and its instance, its location's
  // file number.
  const std::uint32_t files = u32_at(image, body);
  ASSERT_GT(files, 0u);
  std::size_t at = body + 4;
  for (std::uint32_t f = 0; f < files; ++f) at += 4 + u32_at(image, at);
  at += 1;
  at += 4 + u32_at(image, at);
  ASSERT_EQ(u32_at(image, at), 0u);
  std::memcpy(image.data() + at, &files, sizeof files);
  secstore::fuzz::repair_index_checksums(image);
  secstore::UniqueFd fd = secstore::fuzz::memory_file(image);
  auto opened = secstore::detail::CompiledIndex::read(std::move(fd), image.size(), nullptr);
  ASSERT_TRUE(opened.index) << opened.problem;
  std::string problem;
  EXPECT_FALSE(opened.index->scopes("", problem));
  EXPECT_EQ(problem, "an entry is damaged");
}

TEST(FuzzRegressions, ConfInputsParseOrFailCleanlyAndPlan) {
  secstore::fuzz::ConfSandbox sandbox;
  replay("conf", [&](const std::string& bytes) {
    std::string violation = secstore::fuzz::check_conf(bytes, sandbox);
    if (violation.empty() && bytes.size() < 256)
      violation = secstore::fuzz::check_capability_text(bytes);
    return violation;
  });
}

// The checks must be able to fail: a store whose dump would not parse back
// is what the round trip is there to catch, so feed the check a broken pair
// through compare_stores directly.
TEST(FuzzRegressions, TheRoundTripCheckNoticesADifference) {
  auto a = secstore::Store::parse("set \"A\" permissions [VIEW_SERVER]\n"
                                  "set roles for named sessions [\"A\"]\n", "a");
  auto b = secstore::Store::parse("set \"A\" permissions [CONTROL_SERVER]\n"
                                  "set roles for named sessions [\"A\"]\n", "b");
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<std::string> names{"A"};
  EXPECT_NE(secstore::fuzz::compare_stores(*a.value, *b.value,
                                           secstore::fuzz::identities_for(names),
                                           secstore::fuzz::paths_for(names)),
            "");
}

}  // namespace

namespace {

// Bytes of no pattern, the same at every run.
std::vector<unsigned char> noise(std::size_t n, std::uint64_t seed) {
  std::vector<unsigned char> bytes(n);
  for (auto& b : bytes) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    b = static_cast<unsigned char>(seed >> 56);
  }
  return bytes;
}

// checksum32 is CRC-32C whichever way this CPU computes it: the standard
// check value, and the tables and the instruction agree at every length
// and alignment (each tail, each run of whole words).
TEST(IndexChecksum, IsCrc32cByTablesAndByInstruction) {
  EXPECT_EQ(secstore::detail::checksum32("123456789", 9), 0xE3069283u);
  EXPECT_EQ(secstore::detail::checksum32(nullptr, 0), 0u);
  const std::vector<unsigned char> bytes = noise(200, 0xa4093822299f31d0ull);
  for (std::size_t at = 0; at < 8; ++at)
    for (std::size_t n = 0; at + n <= bytes.size(); ++n) {
      const std::uint32_t by_tables = ~secstore::detail::crc32c_portable(~0u, bytes.data() + at, n);
      ASSERT_EQ(secstore::detail::checksum32(bytes.data() + at, n), by_tables) << "at " << at << ", length " << n;
#if defined(__x86_64__)
      if (__builtin_cpu_supports("sse4.2")) {
        ASSERT_EQ(~secstore::detail::crc32c_sse42(~0u, bytes.data() + at, n), by_tables) << at << ", " << n;
      }
#elif defined(__aarch64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      if (getauxval(AT_HWCAP) & HWCAP_CRC32) {
        ASSERT_EQ(~secstore::detail::crc32c_armv8(~0u, bytes.data() + at, n), by_tables) << at << ", " << n;
      }
#endif
    }
}

// Damage is a mismatch: every one-bit flip, at every length the index uses
// (a header, a short role list, a Scopes entry's tail), changes the
// checksum, and so does every two-byte swap of unequal bytes.
TEST(IndexChecksum, EveryOneBitFlipAndSwapChangesIt) {
  const std::vector<unsigned char> bytes = noise(300, 0x243f6a8885a308d3ull);
  std::size_t tried = 0;
  for (std::size_t n = 0; n <= bytes.size(); n += (n < 80 ? 1 : 37)) {
    std::vector<unsigned char> v(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    const std::uint32_t sum = secstore::detail::checksum32(v.data(), v.size());
    for (std::size_t i = 0; i < n; ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        v[i] ^= static_cast<unsigned char>(1u << bit);
        ASSERT_NE(secstore::detail::checksum32(v.data(), v.size()), sum) << "length " << n << ", byte " << i;
        v[i] ^= static_cast<unsigned char>(1u << bit);
        ++tried;
      }
      if (i + 1 < n && v[i] != v[i + 1]) {
        std::swap(v[i], v[i + 1]);
        ASSERT_NE(secstore::detail::checksum32(v.data(), v.size()), sum) << "swap at " << i << ", length " << n;
        std::swap(v[i], v[i + 1]);
      }
    }
    if (n > 0) {
      const std::uint32_t shorter = secstore::detail::checksum32(v.data(), n - 1);
      EXPECT_NE(shorter, sum) << "length " << n << " and its prefix";
    }
  }
  EXPECT_GT(tried, 30000u);
}


// Two flips of one bit in two words that a lane takes one after the other
// (32 bytes apart), and a swap of such words that differ only in that bit:
// a multiply alone carries a difference in a word's top bit to the lane's
// top bit and nowhere else, where the next word's flip cancels it. Damage
// of one bit position in every word (a stuck line) is this pattern.
TEST(IndexChecksum, CompensatingFlipsInOneLaneChangeIt) {
  std::vector<unsigned char> bytes = noise(160, 0x13198a2e03707344ull);
  const std::uint32_t sum = secstore::detail::checksum32(bytes.data(), bytes.size());
  for (std::size_t i = 0; i + 32 < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      const auto m = static_cast<unsigned char>(1u << bit);
      bytes[i] ^= m;
      bytes[i + 32] ^= m;
      ASSERT_NE(secstore::detail::checksum32(bytes.data(), bytes.size()), sum) << "bytes " << i << ", +32, bit " << bit;
      bytes[i] ^= m;
      bytes[i + 32] ^= m;
    }
  }
  auto stuck = bytes;
  for (std::size_t i = 7; i < stuck.size(); i += 8) stuck[i] ^= 0x80;
  EXPECT_NE(secstore::detail::checksum32(stuck.data(), stuck.size()), sum) << "the top bit of every word";
}

}  // namespace
