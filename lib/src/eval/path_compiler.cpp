// Compiles a session's path permissions (SPEC §2.3) into a PathTable.
//
// Only nodes where one of the session's roles has an assignment, or that
// are isolated, can change a role's state; everywhere else each role's state
// is the one at the nearest such node above (or its default). Those nodes
// are visited ancestors first, each role's state at each is derived from the
// nearest visited ancestor's, and what the table keeps of a node is a single
// answer: the union of the states there, plus EXPOSE_BRANCH held at any
// level above it. That one value is the answer at the node and at every path
// below it down to the next node, since EXPOSE_BRANCH at the node itself is
// already in the union.
#include "eval/path_compiler.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace secstore::detail {
namespace {

constexpr std::uint32_t kExpose = PathPermissions::bit(PathPermission::EXPOSE_BRANCH);

// One role's state where it differs from the base (below).
struct RoleState {
  std::uint32_t role;
  std::uint32_t bits;
};

// The session's per-role states at one visited node. A role's state is its
// entry in `changed` if it has one, else 0 below an isolation (`isolated_base`)
// and its default otherwise. Keeping only the differences keeps the cost in
// proportion to the assignments on the way down, not to the number of roles
// times the number of nodes (a session may hold thousands of roles).
struct Visited {
  bool isolated_base = false;
  std::size_t changed_begin = 0;  // into Compiler::changed_
  std::size_t changed_end = 0;
  std::uint32_t answer = 0;
};

class Compiler {
 public:
  Compiler(const StoreData& d, const RoleSet& roles) : d_(d) {
    // Role by role, as Store::path_permissions answers a set it did not
    // make: order and repeats do not matter, ids out of range grant nothing.
    for (auto id : roles.ids)
      if (id < d.roles.size()) roles_.push_back(id);
    std::sort(roles_.begin(), roles_.end());
    roles_.erase(std::unique(roles_.begin(), roles_.end()), roles_.end());
    for (auto id : roles_) {
      const std::uint32_t bits = d.default_of[id].bits;
      defaults_ |= bits;
      if (bits != 0) ++nonzero_defaults_;
      for (std::uint32_t b = bits; b != 0; b &= b - 1) ++default_count_[static_cast<std::size_t>(std::countr_zero(b))];
    }
  }

  std::shared_ptr<const PathTable> compile() {
    std::vector<PathTable::Entry> kept;
    for (const std::uint32_t n : relevant_nodes()) visit(d_.nodes[n], kept);
    return std::make_shared<const PathTable>(kept, PathPermissions{defaults_});
  }

 private:
  // Nodes that one of the session's roles assigns, and isolated ones,
  // shortest path first (an ancestor's path is shorter than its descendants').
  std::vector<std::uint32_t> relevant_nodes() const {
    std::vector<std::uint32_t> nodes(d_.isolated_nodes.begin(), d_.isolated_nodes.end());
    for (auto id : roles_) {
      const auto own = d_.nodes_of_role(id);
      nodes.insert(nodes.end(), own.begin(), own.end());
    }
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    // Sorted with the lengths beside the ids: the nodes themselves are
    // scattered over a large store's heap.
    std::vector<std::pair<std::size_t, std::uint32_t>> by_length;
    by_length.reserve(nodes.size());
    for (auto n : nodes) by_length.emplace_back(d_.nodes[n].path.size(), n);
    std::sort(by_length.begin(), by_length.end());
    for (std::size_t i = 0; i < nodes.size(); ++i) nodes[i] = by_length[i].second;
    return nodes;
  }

  static bool holds(const std::vector<RoleState>& sorted, std::uint32_t role) {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), role,
                               [](const RoleState& s, std::uint32_t r) { return s.role < r; });
    return it != sorted.end() && it->role == role;
  }

  bool in_session(std::uint32_t role) const { return std::binary_search(roles_.begin(), roles_.end(), role); }

  // The session's assignments at a node, by role id.
  std::vector<RoleState> assigned_at(const PathNode& node) const {
    std::vector<RoleState> out;
    for (const auto& a : node.assignments)
      if (in_session(a.role)) out.push_back({a.role, a.permissions.bits});
    return out;
  }

  std::uint32_t base_of(const Visited& v, std::uint32_t role) const {
    return v.isolated_base ? 0 : d_.default_of[role].bits;
  }

  const RoleState* changed_in(const Visited& v, std::uint32_t role) const {
    const auto begin = changed_.begin() + static_cast<std::ptrdiff_t>(v.changed_begin);
    const auto end = changed_.begin() + static_cast<std::ptrdiff_t>(v.changed_end);
    auto it = std::lower_bound(begin, end, role, [](const RoleState& s, std::uint32_t r) { return s.role < r; });
    return it != end && it->role == role ? &*it : nullptr;
  }

  std::uint32_t state_in(const Visited& v, std::uint32_t role) const {
    const RoleState* s = changed_in(v, role);
    return s != nullptr ? s->bits : base_of(v, role);
  }

  // Whether the node leaves every role's state as it was at `above`: then
  // it can change no answer, and the nodes below it may as well look past it.
  bool changes_nothing(const Visited& above, bool isolated, const std::vector<RoleState>& assigned) const {
    for (const auto& a : assigned)
      if (a.bits != state_in(above, a.role)) return false;
    if (!isolated) return true;
    // Isolation empties every role without an assignment here.
    std::size_t nonzero_default_seen = 0;
    for (std::size_t i = above.changed_begin; i < above.changed_end; ++i) {
      const RoleState& s = changed_[i];
      if (!holds(assigned, s.role) && s.bits != 0) return false;
      if (d_.default_of[s.role].bits != 0) ++nonzero_default_seen;
    }
    if (above.isolated_base) return true;
    // The rest hold their defaults, which must all be empty.
    for (const auto& a : assigned)
      if (changed_in(above, a.role) == nullptr && d_.default_of[a.role].bits != 0) ++nonzero_default_seen;
    return nonzero_default_seen == nonzero_defaults_;
  }

  // The union of every role's state at `v`.
  std::uint32_t union_at(const Visited& v) const {
    std::uint32_t out = 0;
    std::array<std::uint32_t, 32> defaults_left = default_count_;
    for (std::size_t i = v.changed_begin; i < v.changed_end; ++i) {
      out |= changed_[i].bits;
      for (std::uint32_t b = d_.default_of[changed_[i].role].bits; b != 0; b &= b - 1)
        --defaults_left[static_cast<std::size_t>(std::countr_zero(b))];
    }
    if (!v.isolated_base)
      for (std::size_t bit = 0; bit < defaults_left.size(); ++bit)
        if (defaults_left[bit] != 0) out |= 1u << bit;
    return out;
  }

  void visit(const PathNode& node, std::vector<PathTable::Entry>& kept) {
    const std::string_view path = node.path;
    const std::uint32_t* above_at = nullptr;
    for (auto slash = path.rfind('/'); slash != std::string_view::npos && above_at == nullptr;
         slash = slash == 0 ? std::string_view::npos : path.rfind('/', slash - 1)) {
      if (auto it = visited_at_.find(path.substr(0, slash)); it != visited_at_.end()) above_at = &it->second;
    }
    const Visited top;  // above every node: defaults
    const Visited& above = above_at != nullptr ? visited_[*above_at] : top;
    const std::uint32_t above_answer = above_at != nullptr ? above.answer : defaults_;

    const std::vector<RoleState> assigned = assigned_at(node);
    if (changes_nothing(above, node.isolated, assigned)) return;

    Visited v;
    v.isolated_base = node.isolated || above.isolated_base;
    std::vector<RoleState> changed;
    if (!node.isolated) {
      // The roles changed above, then this node's assignments over them.
      for (std::size_t i = above.changed_begin; i < above.changed_end; ++i)
        if (!holds(assigned, changed_[i].role)) changed.push_back(changed_[i]);
    }
    for (const auto& a : assigned)
      if (a.bits != base_of(v, a.role)) changed.push_back(a);
    std::sort(changed.begin(), changed.end(), [](const RoleState& x, const RoleState& y) { return x.role < y.role; });
    v.changed_begin = changed_.size();
    changed_.insert(changed_.end(), changed.begin(), changed.end());
    v.changed_end = changed_.size();

    // EXPOSE_BRANCH held at any level above this one is held here too (SPEC
    // §2.3). The levels from the visited node above down to this node's
    // parent hold that node's states, and what it inherited from higher up is
    // already in its answer; with no visited node above, every level above
    // holds the defaults. A first-level node has no level above it.
    const bool first_level = path.find('/') == std::string_view::npos;
    v.answer = union_at(v) | (first_level ? 0 : above_answer & kExpose);

    visited_at_.emplace(path, static_cast<std::uint32_t>(visited_.size()));
    visited_.push_back(v);
    // A node whose answer is the one above it changes no lookup; it stays
    // visited for the nodes below it, whose states derive from its own.
    if (v.answer != above_answer) kept.push_back({path, PathPermissions{v.answer}});
  }

  const StoreData& d_;
  std::vector<std::uint32_t> roles_;               // in range, sorted, unique
  std::uint32_t defaults_ = 0;                     // the union of the roles' defaults
  std::size_t nonzero_defaults_ = 0;               // roles whose default is not empty
  std::array<std::uint32_t, 32> default_count_{};  // by permission bit: roles whose default has it
  std::vector<RoleState> changed_;
  std::vector<Visited> visited_;
  std::unordered_map<std::string_view, std::uint32_t> visited_at_;  // path -> index in visited_
};

}  // namespace

std::shared_ptr<const PathTable> compile_path_table(const StoreData& d, const RoleSet& roles) {
  return Compiler(d, roles).compile();
}

}  // namespace secstore::detail
