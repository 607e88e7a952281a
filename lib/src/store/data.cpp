// Path normalisation (SPEC §2.3) and the path index.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "secstore/store.hpp"
#include "store/data.hpp"

namespace secstore {

std::optional<std::string> normalize_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    if (!out.empty()) out += '/';
    out.append(path.substr(i, end - i));
    i = end;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

namespace detail {

namespace {

// Whether the eight byte pairs starting at p hold "//": a byte of
// (x ^ slashes) | (y ^ slashes) is zero exactly where x and the byte after
// it are both '/'.
bool double_slash_in_eight(const char* p) {
  constexpr std::uint64_t kSlashes = 0x2f2f2f2f2f2f2f2full;
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  std::uint64_t x, y;
  std::memcpy(&x, p, 8);
  std::memcpy(&y, p + 1, 8);
  const std::uint64_t v = (x ^ kSlashes) | (y ^ kSlashes);
  return ((v - kOnes) & ~v & kHighs) != 0;
}

// Whether `path` holds "//": eight byte pairs a step, the last step
// overlapping the one before (looking at a pair twice changes nothing);
// a path too short for one step one pair at a time.
bool has_double_slash(std::string_view path) {
  const char* p = path.data();
  const std::size_t n = path.size();
  if (n < 9) {
    for (std::size_t i = 0; i + 1 < n; ++i)
      if (p[i] == '/' && p[i + 1] == '/') return true;
    return false;
  }
  for (std::size_t i = 0; i + 9 < n; i += 8)
    if (double_slash_in_eight(p + i)) return true;
  return double_slash_in_eight(p + n - 9);
}

}  // namespace

std::string_view normal_view(std::string_view path, std::string& storage) {
  if (!path.empty() && path.front() != '/' && path.back() != '/' && !has_double_slash(path)) return path;
  auto n = normalize_path(path);
  if (!n) return {};
  storage = std::move(*n);
  return storage;
}

void PathIndex::build(const std::vector<PathNode>& nodes) {
  std::vector<std::uint64_t> hashes;
  hashes.reserve(nodes.size());
  for (const auto& node : nodes) hashes.push_back(hash(node.path));
  build(nodes, hashes);
}

void PathIndex::build(const std::vector<PathNode>& nodes, std::span<const std::uint64_t> hashes) {
  ids_.clear();
  ids_.reserve(nodes.size());
  for (std::uint32_t n = 0; n < nodes.size(); ++n)
    ids_.find_or_add(hashes[n], nodes[n].path, n, [&](std::uint32_t m) -> std::string_view { return nodes[m].path; });
}

std::optional<std::uint32_t> StoreData::find_role(std::string_view name) const {
  auto it = std::lower_bound(roles.begin(), roles.end(), name,
                             [](const RoleData& r, std::string_view n) { return r.name < n; });
  if (it == roles.end() || it->name != name) return std::nullopt;
  return static_cast<std::uint32_t>(it - roles.begin());
}

}  // namespace detail
}  // namespace secstore
