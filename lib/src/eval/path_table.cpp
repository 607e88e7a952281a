#include "eval/path_table.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "secstore/store.hpp"

namespace secstore::detail {
namespace {

// The hash of a path is built segment by segment, so that one pass over a
// path gives the hash of each of its prefixes ("a", "a/b", ...) on the way.
// A segment costs one 64x64->128 multiply (and one more per 16 bytes past
// the first 16), against one multiply per byte for FNV. It need not match
// PathIndex's: hits are confirmed by comparing the bytes.
constexpr std::uint64_t kStart = 0x243f6a8885a308d3ull;
constexpr std::uint64_t kA = 0xa0761d6478bd642full;
constexpr std::uint64_t kB = 0xe7037ed1a0b428dbull;
constexpr std::uint64_t kLength = 0x8ebc6af09c88c6e3ull;

std::uint64_t fold_mul(std::uint64_t a, std::uint64_t b) {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::uint64_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::uint64_t byte(char c) { return static_cast<unsigned char>(c); }

// `h` (the prefix so far) extended by the segment p[0..n). Short segments
// are read with overlapping loads that stay inside the segment (wyhash's
// way), so nothing is read past the end of the caller's string.
inline __attribute__((always_inline)) std::uint64_t add_segment(std::uint64_t h, const char* p, std::size_t n) {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  if (n <= 16) {
    if (n >= 4) {
      const std::size_t step = (n >> 3) << 2;
      a = load32(p) << 32 | load32(p + step);
      b = load32(p + n - 4) << 32 | load32(p + n - 4 - step);
    } else if (n > 0) {
      a = byte(p[0]) << 16 | byte(p[n >> 1]) << 8 | byte(p[n - 1]);
    }
  } else {
    std::size_t left = n;
    while (left > 16) {
      h = fold_mul(load64(p) ^ kA, load64(p + 8) ^ h);
      p += 16;
      left -= 16;
    }
    a = load64(p + left - 16);  // the last 16 bytes, overlapping what was read
    b = load64(p + left - 8);
  }
  return fold_mul(a ^ kA ^ h, b ^ kB ^ (n * kLength));
}

// Hash of a normalised path, as a lookup computes it level by level.
std::uint64_t hash_normal(std::string_view path) {
  std::uint64_t h = kStart;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    h = add_segment(h, path.data() + start, end - start);
    if (end == path.size()) return h;
    start = end + 1;
  }
}

constexpr std::size_t kHeader = 8;  // answer bits, path length

std::size_t record_size(std::size_t length) { return kHeader + ((length + 3) & ~std::size_t{3}); }

}  // namespace

PathTable::PathTable(const std::vector<Entry>& entries, PathPermissions elsewhere)
    : entries_(entries.size()), elsewhere_(elsewhere) {
  std::vector<std::string_view> held;
  std::vector<std::string_view> prefixes;  // of held paths
  for (const auto& e : entries) {
    held.push_back(e.path);
    for (auto slash = e.path.find('/'); slash != std::string_view::npos; slash = e.path.find('/', slash + 1))
      prefixes.push_back(e.path.substr(0, slash));
  }
  std::sort(held.begin(), held.end());
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  auto is_prefix = [&](std::string_view p) { return std::binary_search(prefixes.begin(), prefixes.end(), p); };
  auto is_held = [&](std::string_view p) { return std::binary_search(held.begin(), held.end(), p); };
  const std::size_t slots_needed =
      held.size() + static_cast<std::size_t>(std::count_if(prefixes.begin(), prefixes.end(),
                                                           [&](std::string_view p) { return !is_held(p); }));

  std::size_t capacity = 8;
  while (capacity < slots_needed * 2) capacity *= 2;  // load factor <= 0.5: misses end fast
  slots_.assign(capacity, Slot{0, kEmpty});
  mask_ = capacity - 1;
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  std::size_t bytes = 0;
  for (const auto& e : entries) bytes += record_size(e.path.size());
  if (bytes >= kPrefix) throw std::length_error("secstore: a session's paths exceed 4 GiB");
  pool_.reserve(bytes);
  for (const auto& e : entries) {
    const auto record = static_cast<std::uint32_t>(pool_.size());
    const std::uint32_t header[2] = {e.answer.bits | (is_prefix(e.path) ? kHeldBelow : 0),
                                     static_cast<std::uint32_t>(e.path.size())};
    pool_.resize(pool_.size() + record_size(e.path.size()), 0);
    std::memcpy(pool_.data() + record, header, sizeof header);
    std::memcpy(pool_.data() + record + kHeader, e.path.data(), e.path.size());
    insert(hash_normal(e.path), record);
  }
  for (const auto p : prefixes)
    if (!is_held(p)) insert(hash_normal(p), kPrefix);
}

void PathTable::insert(std::uint64_t hash, std::uint32_t record) {
  std::size_t i = static_cast<std::size_t>(hash >> shift_);
  while (slots_[i].record != kEmpty) i = (i + 1) & mask_;
  slots_[i] = Slot{static_cast<std::uint32_t>(hash), record};
}

// Held paths are confirmed by their bytes; prefix marks are not (a tag that
// matches by chance only makes the lookup probe one level more), so the
// chain is followed to its end past them in case the path itself is held.
inline __attribute__((always_inline)) PathTable::Found PathTable::find(std::uint64_t hash, const char* path,
                                                                       std::size_t length) const {
  const auto tag = static_cast<std::uint32_t>(hash);
  bool prefix = false;
  for (std::size_t i = static_cast<std::size_t>(hash >> shift_);; i = (i + 1) & mask_) {
    const Slot s = slots_[i];
    if (s.record == kEmpty) return {nullptr, prefix};
    if (s.tag != tag) continue;
    if (s.record == kPrefix) {
      prefix = true;
      continue;
    }
    const unsigned char* r = pool_.data() + s.record;
    std::uint32_t header[2];
    std::memcpy(header, r, sizeof header);
    if (header[1] == length && std::memcmp(r + kHeader, path, length) == 0) return {r, (header[0] & kHeldBelow) != 0};
  }
}

PathPermissions PathTable::answer_normal(std::string_view path, bool& normal) const {
  const char* const begin = path.data();
  const char* const end = begin + path.size();
  const char* p = begin;
  PathPermissions held = elsewhere_;
  std::uint64_t h = kStart;
  for (;;) {
    const char* q = p;
    while (q != end && *q != '/') ++q;
    if (q == p) {  // an empty segment: "", a leading or trailing '/', or "//"
      normal = false;
      return {};
    }
    h = add_segment(h, p, static_cast<std::size_t>(q - p));
    const Found found = find(h, begin, static_cast<std::size_t>(q - begin));
    if (found.record != nullptr) {
      std::memcpy(&held.bits, found.record, sizeof held.bits);
      held.bits &= ~kHeldBelow;
    }
    if (q == end) return held;
    if (!found.maybe_below) {
      // Nothing deeper is held: the rest of the path need only be normal.
      const std::string_view rest(q, static_cast<std::size_t>(end - q));  // from the '/'
      normal = rest.size() > 1 && rest.back() != '/' && rest.find("//") == std::string_view::npos;
      return normal ? held : PathPermissions{};
    }
    p = q + 1;
  }
}

PathPermissions PathTable::answer(std::string_view path) const {
  bool normal = true;
  const PathPermissions held = answer_normal(path, normal);
  if (normal) return held;
  const auto normalised = normalize_path(path);
  if (!normalised) return {};
  return answer_normal(*normalised, normal);
}

}  // namespace secstore::detail
