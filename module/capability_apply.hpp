// Changing this process's capability sets for a session (SPEC §3, §4.4, §4.5)
// with libcap, in steps that can be undone, and undoing them on failure.
#pragma once

#include <sys/capability.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "failure.hpp"
#include "secstore/conf.hpp"

namespace secstore::module {

using CapMask = std::uint64_t;

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapState = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;
using IabState = std::unique_ptr<std::remove_pointer_t<cap_iab_t>, CapFree>;

// What the session needs done to the process, as masks over capability numbers.
struct CapabilityChange {
  CapMask inheritable_raise = 0;  // raised now (ambient caps need it too)
  CapMask ambient_defer = 0;      // raised in the login program's child (deferred_ambient.hpp)
  CapMask bounding_drop = 0;      // dropped from the bounding set, irreversibly

  bool empty() const { return inheritable_raise == 0 && ambient_defer == 0 && bounding_drop == 0; }
};

// `all` is every capability the kernel knows. For a root-exclusive plan every
// capability the session does not keep is dropped from bounding, whether or
// not the plan already listed it.
CapabilityChange capability_change_for(const SessionPlan& plan, CapMask all);

// Everything that can be checked before touching the process: every raised
// capability is in the bounding set and permitted; nothing is both raised
// and dropped; CAP_SETPCAP is effective when something must leave the
// bounding set. `current` is cap_get_proc().
std::optional<Failure> check_capability_change(const CapabilityChange& change, cap_t current);

// The caps, the ambient state of the capabilities a change touches, and the
// keep-caps flag of this process, to put back on failure. Only `touched`
// capabilities are probed (one prctl each): reading the whole IAB costs a
// prctl per capability the kernel knows (~80 per open).
class SavedCapabilities {
 public:
  // nullopt with `failure` set when libcap cannot read the state.
  static std::optional<SavedCapabilities> capture(Failure& failure, CapMask touched);
  // Best effort: puts permitted/effective/inheritable, the touched ambient
  // bits and keep-caps back. The bounding set cannot be restored, so it is
  // changed last.
  void restore() const;

 private:
  SavedCapabilities(CapState caps, CapMask touched, CapMask ambient, int keepcaps);
  CapState caps_;
  CapMask touched_;
  CapMask ambient_;  // of the touched capabilities, which were ambient
  int keepcaps_;
};

// Raises `mask` in the inheritable set (permitted and effective unchanged).
std::optional<Failure> raise_inheritable(CapMask mask);
// Sets PR_SET_KEEPCAPS so the permitted set survives the login program's setuid.
std::optional<Failure> set_keepcaps();
// Drops `mask` from the bounding set. Checked beforehand, so failing here
// means the kernel refused something it allowed a moment ago.
std::optional<Failure> drop_bounding(CapMask mask);

// libcap names of the set bits, comma-separated ("cap_chown,cap_kill").
std::string capability_list(CapMask mask);

}  // namespace secstore::module
