// Capability text (SPEC §3) read by libcap: which set each form raises, and
// unknown names refused with the name in the message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/capability.h>

#include "conf_test_support.hpp"

namespace secstore::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

CapabilitySets parse_ok(const std::string& text) {
  std::string error;
  auto sets = parse_capability_text(text, error);
  EXPECT_TRUE(sets.has_value()) << text << ": " << error;
  return sets.value_or(CapabilitySets{});
}

std::string parse_error(const std::string& text) {
  std::string error;
  auto sets = parse_capability_text(text, error);
  EXPECT_FALSE(sets.has_value()) << text << " was accepted";
  return error;
}

const std::uint64_t kBind = cap_bit(CAP_NET_BIND_SERVICE);
const std::uint64_t kRaw = cap_bit(CAP_NET_RAW);
const std::uint64_t kAdmin = cap_bit(CAP_NET_ADMIN);
const std::uint64_t kSysAdmin = cap_bit(CAP_SYS_ADMIN);
const std::uint64_t kChown = cap_bit(CAP_CHOWN);

TEST(CapabilityText, PermittedAndEffectiveMeanAmbient) {
  auto sets = parse_ok("cap_net_bind_service+ep");
  EXPECT_EQ(sets.ambient, kBind);
  EXPECT_EQ(sets.inheritable, kBind);  // ambient needs inheritable
  EXPECT_EQ(sets.bounding_drop, 0u);
}

TEST(CapabilityText, EffectiveAloneOrPermittedAloneMeanAmbient) {
  EXPECT_EQ(parse_ok("cap_net_raw+e").ambient, kRaw);
  EXPECT_EQ(parse_ok("cap_net_raw+p").ambient, kRaw);
}

TEST(CapabilityText, InheritableAloneIsInheritableOnly) {
  auto sets = parse_ok("cap_net_raw+i");
  EXPECT_EQ(sets.ambient, 0u);
  EXPECT_EQ(sets.inheritable, kRaw);
}

TEST(CapabilityText, SeveralNamesAndClauses) {
  auto sets = parse_ok("cap_net_admin,cap_net_raw=eip cap_chown+i");
  EXPECT_EQ(sets.ambient, kAdmin | kRaw);
  EXPECT_EQ(sets.inheritable, kAdmin | kRaw | kChown);
}

TEST(CapabilityText, NamesAreCaseInsensitiveInCapFromTextForm) {
  EXPECT_EQ(parse_ok("CAP_NET_RAW+ep").ambient, kRaw);
}

TEST(CapabilityText, MinusLowersWhatWasRaised) {
  auto sets = parse_ok("cap_chown+ep-ep");
  EXPECT_TRUE(sets.empty());
}

TEST(CapabilityText, BareEqualsIsTheEmptySet) { EXPECT_TRUE(parse_ok("=").empty()); }

TEST(CapabilityText, AllMeansEveryCapabilityOfTheKernel) {
  EXPECT_EQ(parse_ok("all=p").ambient, all_capabilities());
}

TEST(CapabilityText, IabCaretIsAmbient) {
  auto sets = parse_ok("^cap_net_bind_service");
  EXPECT_EQ(sets.ambient, kBind);
  EXPECT_EQ(sets.inheritable, kBind);
}

TEST(CapabilityText, IabBareAndPercentAreInheritable) {
  auto sets = parse_ok("cap_net_raw,%cap_chown");
  EXPECT_EQ(sets.ambient, 0u);
  EXPECT_EQ(sets.inheritable, kRaw | kChown);
}

TEST(CapabilityText, IabBangDropsFromBounding) {
  auto sets = parse_ok("^cap_net_bind_service,!cap_sys_admin");
  EXPECT_EQ(sets.ambient, kBind);
  EXPECT_EQ(sets.bounding_drop, kSysAdmin);
  EXPECT_EQ(sets.inheritable & kSysAdmin, 0u);
}

TEST(CapabilityText, UnknownNameIsNamedInTheError) {
  EXPECT_THAT(parse_error("cap_net_bind_servic+ep"), HasSubstr("\"cap_net_bind_servic\""));
  EXPECT_THAT(parse_error("^cap_bogus,!cap_sys_admin"), HasSubstr("\"cap_bogus\""));
  EXPECT_THAT(parse_error("cap_chown,cap_nope=eip"), HasSubstr("\"cap_nope\""));
}

TEST(CapabilityText, MalformedTextIsAnError) {
  // Spaces are not allowed in the IAB form, and "+q" is no flag.
  EXPECT_THAT(parse_error("cap_chown cap_kill"), HasSubstr("cap_chown cap_kill"));
  EXPECT_THAT(parse_error("cap_chown+q"), HasSubstr("cap_chown+q"));
}

// The reading every capability of every set one call at a time, as libcap
// sees it: parse_capability_text reads only the named ones and must agree.
CapabilitySets read_everything(const std::string& text) {
  CapabilitySets sets;
  const unsigned count = static_cast<unsigned>(cap_max_bits());
  if (text.find_first_of("=+-") != std::string::npos) {
    cap_t caps = cap_from_text(text.c_str());
    if (caps == nullptr) return sets;
    for (unsigned c = 0; c < count && c < 64; ++c) {
      cap_flag_value_t e = CAP_CLEAR, p = CAP_CLEAR, i = CAP_CLEAR;
      auto v = static_cast<cap_value_t>(c);
      cap_get_flag(caps, v, CAP_EFFECTIVE, &e);
      cap_get_flag(caps, v, CAP_PERMITTED, &p);
      cap_get_flag(caps, v, CAP_INHERITABLE, &i);
      if (e == CAP_SET || p == CAP_SET) sets.ambient |= cap_bit(c);
      if (e == CAP_SET || p == CAP_SET || i == CAP_SET) sets.inheritable |= cap_bit(c);
    }
    cap_free(caps);
    return sets;
  }
  cap_iab_t iab = cap_iab_from_text(text.c_str());
  if (iab == nullptr) return sets;
  for (unsigned c = 0; c < count && c < 64; ++c) {
    auto v = static_cast<cap_value_t>(c);
    if (cap_iab_get_vector(iab, CAP_IAB_AMB, v) == CAP_SET) sets.ambient |= cap_bit(c);
    if (cap_iab_get_vector(iab, CAP_IAB_AMB, v) == CAP_SET || cap_iab_get_vector(iab, CAP_IAB_INH, v) == CAP_SET)
      sets.inheritable |= cap_bit(c);
    if (cap_iab_get_vector(iab, CAP_IAB_BOUND, v) == CAP_SET) sets.bounding_drop |= cap_bit(c);
  }
  cap_free(iab);
  return sets;
}

// Texts where naming is not the whole story: clauses with no names ("=ep"
// means all), "all", numbers, a later clause undoing an earlier one, and
// every IAB prefix.
TEST(CapabilityText, ReadingOnlyNamedCapabilitiesAgreesWithReadingAll) {
  const char* texts[] = {
      "cap_net_bind_service+ep", "=ep", "=", "all=i", "ALL+e", "all-i cap_net_raw+i",
      "=ep cap_sys_admin-ep", "cap_chown=eip cap_chown-e", "cap_net_admin,cap_net_raw=eip cap_chown+i",
      "cap_net_raw+p-p", "12+i", "cap_setpcap=p =i", "cap_kill+i-i+e", "+ep", "cap_chown= =e",
      "cap_net_bind_service", "^cap_net_bind_service", "%cap_net_raw,!cap_sys_admin",
      "!cap_chown,^cap_chown", "cap_net_raw,^cap_net_raw", "!cap_sys_module,!cap_sys_rawio,cap_kill",
      "CAP_NET_RAW+ep", "cap_net_raw+ep\tcap_chown+i", "cap_sys_admin,cap_chown,cap_kill+i"};
  for (const char* text : texts) {
    std::string error;
    auto sets = parse_capability_text(text, error);
    if (!sets) {
      // libcap refuses it: the reference must refuse it too.
      EXPECT_TRUE(read_everything(text).empty()) << text;
      continue;
    }
    EXPECT_EQ(*sets, read_everything(text)) << text;
  }
}

TEST(CapabilityNames, AreLibcapsLowerCaseNames) {
  EXPECT_THAT(capability_names(kChown | kBind), ElementsAre("cap_chown", "cap_net_bind_service"));
  EXPECT_TRUE(capability_names(0).empty());
}

TEST(CapabilityNames, AreWhatLibcapCallsEveryValue) {
  // The names come from a table, not from cap_to_name: every value, known to
  // libcap or not, must still read exactly as libcap writes it.
  std::string list;
  for (unsigned c = 0; c < 64; ++c) {
    char* name = cap_to_name(static_cast<cap_value_t>(c));
    ASSERT_NE(name, nullptr);
    const std::string expected = name;
    cap_free(name);
    EXPECT_THAT(capability_names(CapabilityMask{1} << c), ElementsAre(expected)) << c;
    EXPECT_EQ(capability_list(CapabilityMask{1} << c), expected) << c;
    list += (c ? "," : "") + expected;
  }
  EXPECT_EQ(capability_list(~CapabilityMask{0}), list);
  EXPECT_EQ(capability_list(0), "");
  // Appended, after what is already there, with no separator before it.
  std::string line = "ambient ";
  append_capability_list(line, CapabilityMask{1} << 10 | CapabilityMask{1} << 13);
  EXPECT_EQ(line, "ambient cap_net_bind_service,cap_net_raw");
  append_capability_list(line, 0);
  EXPECT_EQ(line, "ambient cap_net_bind_service,cap_net_raw");
}

TEST(CapabilityNames, AllMaskMatchesTheRunningKernel) {
  auto names = capability_names(all_capabilities());
  EXPECT_EQ(names.size(), static_cast<std::size_t>(cap_max_bits()));
  EXPECT_EQ(names.front(), "cap_chown");
}

TEST(CapabilitySetsTest, UnionIsBitwise) {
  CapabilitySets a{kBind, kBind, 0};
  CapabilitySets b{0, kRaw, kSysAdmin};
  a |= b;
  EXPECT_EQ(a, (CapabilitySets{kBind, kBind | kRaw, kSysAdmin}));
}

TEST(CapabilityOption, UnknownNameInConfIsAnErrorAtTheValue) {
  auto conf = parse_conf("Security {\n  capabilities =   \"cap_net_bindservice+ep\"\n}\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:2:20: error:"));
  EXPECT_THAT(first_error(conf), HasSubstr("cap_net_bindservice"));
}

TEST(CapabilityOption, BareValueWithoutEqualsIsAccepted) {
  // '+' may appear in a bare value; only '=' forces quotes.
  auto conf = parse_conf("Security { capabilities = cap_net_raw+ep }");
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_EQ(plan_for(*conf.value, subject_of("alice", 1000)).value->caps.ambient, kRaw);
}

}  // namespace
}  // namespace secstore::test
