#include "capability_apply.hpp"

#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace secstore::module {
namespace {

unsigned max_bits() {
  cap_value_t n = cap_max_bits();
  return n > 64 ? 64u : static_cast<unsigned>(n);
}

bool has_bit(CapMask mask, unsigned cap) { return (mask >> cap) & 1u; }

std::string name_of_cap(unsigned cap) {
  char* text = cap_to_name(static_cast<cap_value_t>(cap));
  if (text == nullptr) return "cap_" + std::to_string(cap);
  std::string name(text);
  cap_free(text);
  return name;
}

bool flag_set(cap_t caps, unsigned cap, cap_flag_t which) {
  cap_flag_value_t value = CAP_CLEAR;
  return cap_get_flag(caps, static_cast<cap_value_t>(cap), which, &value) == 0 && value == CAP_SET;
}

Failure system_failure(const std::string& what, int err) {
  return Failure{FailureKind::System, what + ": " + std::strerror(err)};
}

}  // namespace

std::string capability_list(CapMask mask) {
  std::string out;
  for (unsigned cap = 0; cap < 64; ++cap) {
    if (!has_bit(mask, cap)) continue;
    if (!out.empty()) out += ',';
    out += name_of_cap(cap);
  }
  return out;
}

CapabilityChange capability_change_for(const SessionPlan& plan, CapMask all) {
  CapabilityChange change;
  change.inheritable_raise = plan.caps.ambient | plan.caps.inheritable;
  change.ambient_defer = plan.caps.ambient;
  change.bounding_drop = plan.caps.bounding_drop;
  if (plan.root_exclusive) change.bounding_drop |= all & ~change.inheritable_raise;
  return change;
}

std::optional<Failure> check_capability_change(const CapabilityChange& change, cap_t current) {
  const unsigned bits = max_bits();
  CapMask known = bits >= 64 ? ~CapMask{0} : ((CapMask{1} << bits) - 1);
  CapMask unknown = (change.inheritable_raise | change.bounding_drop) & ~known;
  if (unknown != 0)
    return Failure{FailureKind::Capability,
                   "capability " + capability_list(unknown) + " is not known to this kernel"};
  CapMask conflict = change.inheritable_raise & change.bounding_drop;
  if (conflict != 0)
    return Failure{FailureKind::Capability,
                   "capability " + capability_list(conflict) +
                       " is both granted and dropped from the bounding set by the configuration"};
  for (unsigned cap = 0; cap < bits; ++cap) {
    if (!has_bit(change.inheritable_raise, cap)) continue;
    if (cap_get_bound(static_cast<cap_value_t>(cap)) != 1)
      return Failure{FailureKind::Capability,
                     "capability " + name_of_cap(cap) +
                         " cannot be granted: it is not in this process's bounding set"};
    if (!flag_set(current, cap, CAP_PERMITTED))
      return Failure{FailureKind::Capability,
                     "capability " + name_of_cap(cap) +
                         " cannot be granted: this process does not hold it in its permitted set"};
  }
  bool drops_something = false;
  for (unsigned cap = 0; cap < bits; ++cap)
    if (has_bit(change.bounding_drop, cap) && cap_get_bound(static_cast<cap_value_t>(cap)) == 1)
      drops_something = true;
  if (drops_something && !flag_set(current, CAP_SETPCAP, CAP_EFFECTIVE))
    return Failure{FailureKind::Capability,
                   "capabilities " + capability_list(change.bounding_drop) +
                       " cannot be dropped from the bounding set: this process lacks "
                       "cap_setpcap"};
  return std::nullopt;
}

SavedCapabilities::SavedCapabilities(CapState caps, CapMask touched, CapMask ambient, int keepcaps)
    : caps_(std::move(caps)), touched_(touched), ambient_(ambient), keepcaps_(keepcaps) {}

std::optional<SavedCapabilities> SavedCapabilities::capture(Failure& failure, CapMask touched) {
  CapState caps(cap_get_proc());
  if (!caps) {
    failure = system_failure("cannot read this process's capabilities", errno);
    return std::nullopt;
  }
  CapMask ambient = 0;
  const unsigned bits = max_bits();
  for (unsigned cap = 0; cap < bits; ++cap) {
    if (!has_bit(touched, cap)) continue;
    int have = cap_get_ambient(static_cast<cap_value_t>(cap));
    if (have < 0) {
      failure = system_failure("cannot read this process's ambient set", errno);
      return std::nullopt;
    }
    if (have == 1) ambient |= CapMask{1} << cap;
  }
  int keepcaps = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
  if (keepcaps < 0) {
    failure = system_failure("cannot read this process's keep-capabilities flag", errno);
    return std::nullopt;
  }
  return SavedCapabilities(std::move(caps), touched, ambient, keepcaps);
}

void SavedCapabilities::restore() const {
  // Permitted and inheritable first: raising ambient again needs both.
  cap_set_proc(caps_.get());
  const unsigned bits = max_bits();
  for (unsigned cap = 0; cap < bits; ++cap) {
    if (!has_bit(touched_, cap)) continue;
    auto value = static_cast<cap_value_t>(cap);
    const bool want = has_bit(ambient_, cap);
    int have = cap_get_ambient(value);
    if (have >= 0 && (have == 1) != want) cap_set_ambient(value, want ? CAP_SET : CAP_CLEAR);
  }
  prctl(PR_SET_KEEPCAPS, keepcaps_, 0, 0, 0);
}

std::optional<Failure> raise_inheritable(CapMask mask) {
  if (mask == 0) return std::nullopt;
  CapState caps(cap_get_proc());
  if (!caps) return system_failure("cannot read this process's capabilities", errno);
  const unsigned bits = max_bits();
  for (unsigned cap = 0; cap < bits; ++cap) {
    if (!has_bit(mask, cap)) continue;
    cap_value_t value = static_cast<cap_value_t>(cap);
    if (cap_set_flag(caps.get(), CAP_INHERITABLE, 1, &value, CAP_SET) != 0)
      return system_failure("cannot prepare the inheritable set", errno);
  }
  if (cap_set_proc(caps.get()) != 0)
    return system_failure("cannot raise " + capability_list(mask) + " in the inheritable set",
                          errno);
  return std::nullopt;
}

std::optional<Failure> set_keepcaps() {
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    return system_failure("cannot set PR_SET_KEEPCAPS", errno);
  return std::nullopt;
}

std::optional<Failure> drop_bounding(CapMask mask) {
  const unsigned bits = max_bits();
  for (unsigned cap = 0; cap < bits; ++cap) {
    if (!has_bit(mask, cap)) continue;
    auto value = static_cast<cap_value_t>(cap);
    if (cap_get_bound(value) != 1) continue;  // already out of the bounding set
    if (cap_drop_bound(value) != 0)
      return system_failure("cannot drop " + name_of_cap(cap) +
                                " from the bounding set (earlier drops stay: the bounding set "
                                "cannot be restored)",
                            errno);
  }
  return std::nullopt;
}

}  // namespace secstore::module
