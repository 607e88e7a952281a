// Path normalisation (SPEC §2.3) and the path index.
#include <algorithm>

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

void PathIndex::build(const std::vector<PathNode>& nodes) {
  std::size_t capacity = 8;
  while (capacity < nodes.size() * 2) capacity *= 2;  // load factor <= 0.5
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  shift_ = 64;
  for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    const std::uint64_t h = hash(nodes[n].path);
    std::size_t i = slot_of(h);
    while (slots_[i].node != kNoNode) i = (i + 1) & mask_;
    slots_[i] = Slot{h, n};
  }
}

std::uint32_t PathIndex::find(std::uint64_t h, std::string_view path,
                              const std::vector<PathNode>& nodes) const {
  if (slots_.empty()) return kNoNode;
  for (std::size_t i = slot_of(h);; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.node == kNoNode) return kNoNode;
    if (s.hash == h && nodes[s.node].path == path) return s.node;
  }
}

std::optional<std::uint32_t> StoreData::find_role(std::string_view name) const {
  auto it = std::lower_bound(roles.begin(), roles.end(), name,
                             [](const RoleData& r, std::string_view n) { return r.name < n; });
  if (it == roles.end() || it->name != name) return std::nullopt;
  return static_cast<std::uint32_t>(it - roles.begin());
}

}  // namespace detail
}  // namespace secstore
