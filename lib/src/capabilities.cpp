// SPEC §3 capability text, read with libcap itself so that secstore accepts
// exactly the names and forms the installed libcap does.
#include <sys/capability.h>

#include <memory>
#include <string>

#include "secstore/conf.hpp"

namespace secstore {
namespace {

// cap_t and cap_iab_t are both released with cap_free.
struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapHandle = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;
using IabHandle = std::unique_ptr<std::remove_pointer_t<cap_iab_t>, CapFree>;

// The running kernel's capabilities, capped at what a 64-bit mask holds.
unsigned capability_count() {
  cap_value_t n = cap_max_bits();
  if (n < 0) return 0;
  return n > 64 ? 64u : static_cast<unsigned>(n);
}

std::uint64_t bit(unsigned cap) { return std::uint64_t{1} << cap; }

bool is_name_separator(char c) {
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '=' || c == '+' || c == '-';
}

// libcap says only "invalid argument"; find the word it choked on so the
// admin is told which name is wrong. Words are capability names (or "all"),
// possibly with IAB prefixes or cap_from_text flags after an operator.
std::string unknown_name_in(std::string_view text) {
  std::size_t i = 0;
  bool after_operator = false;
  while (i < text.size()) {
    char c = text[i];
    if (c == '=' || c == '+' || c == '-') {
      after_operator = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n') {
      after_operator = false;
      ++i;
      continue;
    }
    if (c == ',') {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && !is_name_separator(text[i])) ++i;
    std::string word(text.substr(start, i - start));
    if (after_operator) continue;  // flags such as "eip"
    while (!word.empty() && (word[0] == '!' || word[0] == '^' || word[0] == '%'))
      word.erase(0, 1);
    if (word.empty()) continue;
    cap_value_t value;
    if (word != "all" && word != "ALL" && cap_from_name(word.c_str(), &value) != 0) return word;
  }
  return "";
}

std::string parse_error_message(std::string_view text, bool iab_form) {
  std::string bad = unknown_name_in(text);
  if (!bad.empty())
    return "unknown capability \"" + bad + "\" in \"" + std::string(text) + "\"";
  if (iab_form)
    return "libcap cannot read \"" + std::string(text) +
           "\" as IAB text (comma-separated names, each optionally prefixed by ^, % or !, "
           "no spaces)";
  return "libcap cannot read \"" + std::string(text) +
         "\" as capability text (for example \"cap_net_bind_service+ep\")";
}

std::optional<CapabilitySets> from_cap_text(const std::string& text, std::string& error) {
  CapHandle caps(cap_from_text(text.c_str()));
  if (!caps) {
    error = parse_error_message(text, false);
    return std::nullopt;
  }
  CapabilitySets sets;
  for (unsigned c = 0; c < capability_count(); ++c) {
    cap_flag_value_t e = CAP_CLEAR, p = CAP_CLEAR, i = CAP_CLEAR;
    auto value = static_cast<cap_value_t>(c);
    if (cap_get_flag(caps.get(), value, CAP_EFFECTIVE, &e) != 0 ||
        cap_get_flag(caps.get(), value, CAP_PERMITTED, &p) != 0 ||
        cap_get_flag(caps.get(), value, CAP_INHERITABLE, &i) != 0) {
      error = "libcap cannot report capability " + std::to_string(c) + " of \"" + text + "\"";
      return std::nullopt;
    }
    // p or e: the session's programs should hold it, which across exec by
    // a non-root user only the ambient set achieves (ambient needs inheritable).
    if (p == CAP_SET || e == CAP_SET) {
      sets.ambient |= bit(c);
      sets.inheritable |= bit(c);
    } else if (i == CAP_SET) {
      sets.inheritable |= bit(c);
    }
  }
  return sets;
}

std::optional<CapabilitySets> from_iab_text(const std::string& text, std::string& error) {
  IabHandle iab(cap_iab_from_text(text.c_str()));
  if (!iab) {
    error = parse_error_message(text, true);
    return std::nullopt;
  }
  CapabilitySets sets;
  for (unsigned c = 0; c < capability_count(); ++c) {
    auto value = static_cast<cap_value_t>(c);
    if (cap_iab_get_vector(iab.get(), CAP_IAB_AMB, value) == CAP_SET) {
      sets.ambient |= bit(c);
      sets.inheritable |= bit(c);
    }
    if (cap_iab_get_vector(iab.get(), CAP_IAB_INH, value) == CAP_SET) sets.inheritable |= bit(c);
    if (cap_iab_get_vector(iab.get(), CAP_IAB_BOUND, value) == CAP_SET)
      sets.bounding_drop |= bit(c);
  }
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
  const std::string owned(text);
  if (owned.find('\0') != std::string::npos) {
    error = "capability text may not contain a NUL character";
    return std::nullopt;
  }
  if (owned.find_first_of("=+-") != std::string::npos) return from_cap_text(owned, error);
  return from_iab_text(owned, error);
}

std::vector<std::string> capability_names(std::uint64_t mask) {
  std::vector<std::string> names;
  for (unsigned c = 0; c < 64; ++c) {
    if ((mask & bit(c)) == 0) continue;
    char* name = cap_to_name(static_cast<cap_value_t>(c));
    if (name == nullptr) {
      names.push_back(std::to_string(c));
      continue;
    }
    names.emplace_back(name);
    cap_free(name);
  }
  return names;
}

std::uint64_t all_capabilities_mask() {
  unsigned n = capability_count();
  return n >= 64 ? ~std::uint64_t{0} : bit(n) - 1;
}

}  // namespace secstore
