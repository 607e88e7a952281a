// SPEC §3 capability text, read with libcap itself so that secstore accepts
// exactly the names and forms the installed libcap does.
#include <sys/capability.h>

#include <bit>
#include <iterator>
#include <memory>
#include <string>

#include "secstore/capabilities.hpp"
#include "secstore/suggest.hpp"

namespace secstore {
namespace {

// cap_t and cap_iab_t are both released with cap_free.
struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapHandle = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;
using IabHandle = std::unique_ptr<std::remove_pointer_t<cap_iab_t>, CapFree>;

std::uint64_t bit(unsigned cap) { return std::uint64_t{1} << cap; }

bool is_name_separator(char c) {
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '=' || c == '+' || c == '-';
}

// Walks capability text the way libcap reads it: calls name(word) for each
// capability name (IAB prefixes ! ^ % stripped; flags such as "eip" after an
// operator are not names) and nameless() at an operator with no name before
// it in its clause ("=ep" means all). Stops when a callback returns false.
template <class Name, class Nameless>
void walk_capability_names(std::string_view text, Name name, Nameless nameless) {
  bool after_operator = false;
  bool names_in_clause = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '=' || c == '+' || c == '-') {
      if (!after_operator && !names_in_clause && !nameless()) return;
      after_operator = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      after_operator = false;
      names_in_clause = false;
      ++i;
      continue;
    }
    if (c == ',') {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && !is_name_separator(text[i])) ++i;
    if (after_operator) continue;
    while (start < i && (text[start] == '!' || text[start] == '^' || text[start] == '%')) ++start;
    if (start == i) continue;
    names_in_clause = true;
    if (!name(std::string(text.substr(start, i - start)))) return;
  }
}

// libcap says only "invalid argument"; find the word it choked on so the
// admin is told which name is wrong.
std::string unknown_name_in(std::string_view text) {
  std::string unknown;
  walk_capability_names(
      text,
      [&](const std::string& word) {
        cap_value_t value;
        if (word == "all" || word == "ALL" || cap_from_name(word.c_str(), &value) == 0) return true;
        unknown = word;
        return false;
      },
      [] { return true; });
  return unknown;
}

// Every name libcap knows, for "did you mean".
std::vector<std::string> known_names() {
  std::vector<std::string> names;
  for (unsigned c = 0; c < 64; ++c) {
    char* name = cap_to_name(static_cast<cap_value_t>(c));
    if (name == nullptr) continue;
    if (std::string_view(name).starts_with("cap_")) names.emplace_back(name);
    cap_free(name);
  }
  return names;
}

std::string parse_error_message(std::string_view text, bool iab_form) {
  std::string bad = unknown_name_in(text);
  if (!bad.empty()) {
    const auto names = known_names();
    const std::vector<std::string_view> candidates(names.begin(), names.end());
    return "unknown capability \"" + bad + "\" in \"" + std::string(text) + "\"" + did_you_mean(bad, candidates);
  }
  if (iab_form)
    return "libcap cannot read \"" + std::string(text) +
           "\" as IAB text (comma-separated names, each optionally prefixed by ^, % or !, "
           "no spaces)";
  return "libcap cannot read \"" + std::string(text) +
         "\" as capability text (for example \"cap_net_bind_service+ep\")";
}

// The capabilities a text can touch: those it names, or every one when a
// clause names none ("=ep" means all) or says "all". This is only a guess that
// spares reading all ~41 capabilities of each set one call at a time (most of
// the cost of loading secstore.conf); masks_from_* check it against libcap's
// own parse and read everything when the two differ.
std::uint64_t named_capabilities(std::string_view text, std::uint64_t all) {
  std::uint64_t named = 0;
  bool everything = false;
  walk_capability_names(
      text,
      [&](const std::string& word) {
        cap_value_t value = 0;
        everything = cap_from_name(word.c_str(), &value) != 0 || value < 0 || value >= 64;  // "all" too
        if (!everything) named |= bit(static_cast<unsigned>(value));
        return !everything;
      },
      [&] {
        everything = true;
        return false;
      });
  return everything ? all : named & all;
}

// Calls visit(capability) for each bit set in mask, lowest first.
template <class Visit>
void for_each_bit(std::uint64_t mask, Visit visit) {
  for (; mask != 0; mask &= mask - 1) visit(static_cast<unsigned>(std::countr_zero(mask)));
}

// The value of one flag for the capabilities in `candidates`, as a mask.
template <class Get>
std::uint64_t read_mask(std::uint64_t candidates, Get is_set) {
  std::uint64_t mask = 0;
  for_each_bit(candidates, [&](unsigned c) {
    if (is_set(static_cast<cap_value_t>(c))) mask |= bit(c);
  });
  return mask;
}

struct FlagMasks {
  std::uint64_t e = 0, p = 0, i = 0;
};

FlagMasks read_flags(cap_t caps, std::uint64_t candidates) {
  auto flag = [&](cap_flag_t f) {
    return read_mask(candidates, [&](cap_value_t v) {
      cap_flag_value_t value = CAP_CLEAR;
      return cap_get_flag(caps, v, f, &value) == 0 && value == CAP_SET;
    });
  };
  return FlagMasks{flag(CAP_EFFECTIVE), flag(CAP_PERMITTED), flag(CAP_INHERITABLE)};
}

// Whether libcap's parse holds exactly `m` (and nothing outside it).
bool same_caps(cap_t parsed, const FlagMasks& m) {
  CapHandle rebuilt(cap_init());
  if (!rebuilt) return false;
  const std::pair<cap_flag_t, std::uint64_t> flags[] = {
      {CAP_EFFECTIVE, m.e}, {CAP_PERMITTED, m.p}, {CAP_INHERITABLE, m.i}};
  for (const auto& [flag, mask] : flags) {
    cap_value_t values[64];
    int count = 0;
    for_each_bit(mask, [&](unsigned c) { values[count++] = static_cast<cap_value_t>(c); });
    if (count > 0 && cap_set_flag(rebuilt.get(), flag, count, values, CAP_SET) != 0) return false;
  }
  return cap_compare(parsed, rebuilt.get()) == 0;
}

std::optional<CapabilitySets> from_cap_text(const std::string& text, std::uint64_t all, std::string& error) {
  CapHandle caps(cap_from_text(text.c_str()));
  if (!caps) {
    error = parse_error_message(text, false);
    return std::nullopt;
  }
  FlagMasks m = read_flags(caps.get(), named_capabilities(text, all));
  if (!same_caps(caps.get(), m)) m = read_flags(caps.get(), all);
  // p or e: the session's programs should hold it, which across exec by
  // a non-root user only the ambient set achieves (ambient needs inheritable).
  CapabilitySets sets;
  sets.ambient = m.p | m.e;
  sets.inheritable = m.p | m.e | m.i;
  return sets;
}

struct VectorMasks {
  std::uint64_t a = 0, i = 0, b = 0;
};

VectorMasks read_vectors(cap_iab_t iab, std::uint64_t candidates) {
  auto vector = [&](cap_iab_vector_t v) {
    return read_mask(candidates, [&](cap_value_t c) { return cap_iab_get_vector(iab, v, c) == CAP_SET; });
  };
  return VectorMasks{vector(CAP_IAB_AMB), vector(CAP_IAB_INH), vector(CAP_IAB_BOUND)};
}

bool same_iab(cap_iab_t parsed, const VectorMasks& m) {
  IabHandle rebuilt(cap_iab_init());
  if (!rebuilt) return false;
  // Inheritable before ambient: libcap keeps ambient within inheritable.
  const std::pair<cap_iab_vector_t, std::uint64_t> vectors[] = {
      {CAP_IAB_INH, m.i}, {CAP_IAB_AMB, m.a}, {CAP_IAB_BOUND, m.b}};
  bool ok = true;
  for (const auto& entry : vectors) {
    const cap_iab_vector_t vector = entry.first;  // clang 14 cannot capture a structured binding
    for_each_bit(entry.second, [&](unsigned c) {
      ok = ok && cap_iab_set_vector(rebuilt.get(), vector, static_cast<cap_value_t>(c), CAP_SET) == 0;
    });
  }
  return ok && cap_iab_compare(parsed, rebuilt.get()) == 0;
}

std::optional<CapabilitySets> from_iab_text(const std::string& text, std::uint64_t all, std::string& error) {
  IabHandle iab(cap_iab_from_text(text.c_str()));
  if (!iab) {
    error = parse_error_message(text, true);
    return std::nullopt;
  }
  VectorMasks m = read_vectors(iab.get(), named_capabilities(text, all));
  if (!same_iab(iab.get(), m)) m = read_vectors(iab.get(), all);
  CapabilitySets sets;
  sets.ambient = m.a;
  sets.inheritable = m.a | m.i;
  sets.bounding_drop = m.b;
  return sets;
}

}  // namespace

CapabilitySets& CapabilitySets::operator|=(const CapabilitySets& o) {
  ambient |= o.ambient;
  inheritable |= o.inheritable;
  bounding_drop |= o.bounding_drop;
  return *this;
}

std::optional<CapabilitySets> parse_capability_text(std::string_view text, std::string& error) {
  const std::uint64_t all = ~std::uint64_t{0};
  const std::string owned(text);
  if (owned.find('\0') != std::string::npos) {
    error = "capability text may not contain a NUL character";
    return std::nullopt;
  }
  if (owned.find_first_of("=+-") != std::string::npos) return from_cap_text(owned, all, error);
  return from_iab_text(owned, all, error);
}

namespace {

// libcap's own names for the capabilities it knew when this table was
// written (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE, lower case), so that a log
// line does not cost a cap_to_name allocation and a cap_free per name; the
// unit tests check every entry against the installed libcap. A capability
// past the table is still named by libcap.
constexpr std::string_view kCapabilityNames[] = {
    "cap_chown",          "cap_dac_override", "cap_dac_read_search", "cap_fowner",          "cap_fsetid",
    "cap_kill",           "cap_setgid",       "cap_setuid",          "cap_setpcap",         "cap_linux_immutable",
    "cap_net_bind_service", "cap_net_broadcast", "cap_net_admin",    "cap_net_raw",         "cap_ipc_lock",
    "cap_ipc_owner",      "cap_sys_module",   "cap_sys_rawio",       "cap_sys_chroot",      "cap_sys_ptrace",
    "cap_sys_pacct",      "cap_sys_admin",    "cap_sys_boot",        "cap_sys_nice",        "cap_sys_resource",
    "cap_sys_time",       "cap_sys_tty_config", "cap_mknod",         "cap_lease",           "cap_audit_write",
    "cap_audit_control",  "cap_setfcap",      "cap_mac_override",    "cap_mac_admin",       "cap_syslog",
    "cap_wake_alarm",     "cap_block_suspend", "cap_audit_read",     "cap_perfmon",         "cap_bpf",
    "cap_checkpoint_restore",
};

void append_capability_name(std::string& out, unsigned c) {
  if (c < std::size(kCapabilityNames)) {
    out += kCapabilityNames[c];
    return;
  }
  char* name = cap_to_name(static_cast<cap_value_t>(c));
  if (name != nullptr) out += name;
  else out += "cap_" + std::to_string(c);
  cap_free(name);
}

}  // namespace

std::vector<std::string> capability_names(CapabilityMask mask) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(std::popcount(mask)));
  for_each_bit(mask, [&](unsigned c) { append_capability_name(names.emplace_back(), c); });
  return names;
}

void append_capability_list(std::string& out, CapabilityMask mask) {
  bool first = true;
  for_each_bit(mask, [&](unsigned c) {
    if (!first) out += ',';
    first = false;
    append_capability_name(out, c);
  });
}

std::string capability_list(CapabilityMask mask) {
  std::string out;
  out.reserve(24 * static_cast<std::size_t>(std::popcount(mask)));
  append_capability_list(out, mask);
  return out;
}

std::optional<unsigned> capability_from_name(std::string_view name) {
  const std::string owned(name);
  cap_value_t value = 0;
  if (owned.find('\0') != std::string::npos || cap_from_name(owned.c_str(), &value) != 0 || value < 0 || value >= 64)
    return std::nullopt;
  return static_cast<unsigned>(value);
}

unsigned kernel_capability_count() {
  const cap_value_t n = cap_max_bits();
  if (n < 0) return 0;
  return n > 64 ? 64u : static_cast<unsigned>(n);
}

CapabilityMask capability_mask_of_count(unsigned count) {
  return count >= 64 ? ~CapabilityMask{0} : bit(count) - 1;
}

}  // namespace secstore
