// The two permission vocabularies (SPEC §2.2).
#include <gtest/gtest.h>

#include "secstore/permissions.hpp"

namespace secstore {
namespace {

TEST(Permissions, GlobalNamesAreCaseInsensitive) {
  EXPECT_EQ(global_permission_from_name("control_server"), GlobalPermission::CONTROL_SERVER);
  EXPECT_EQ(global_permission_from_name("Control_Server"), GlobalPermission::CONTROL_SERVER);
  EXPECT_EQ(global_permission_from_name("MODIFY_TOPIC_VIEWS"), GlobalPermission::MODIFY_TOPIC_VIEWS);
}

TEST(Permissions, PathNamesAreCaseInsensitive) {
  EXPECT_EQ(path_permission_from_name("read_topic"), PathPermission::READ_TOPIC);
  EXPECT_EQ(path_permission_from_name("Expose_Branch"), PathPermission::EXPOSE_BRANCH);
}

TEST(Permissions, NameFromTheOtherListIsNotFound) {
  EXPECT_FALSE(global_permission_from_name("READ_TOPIC"));
  EXPECT_FALSE(path_permission_from_name("AUTHENTICATE"));
  EXPECT_FALSE(path_permission_from_name("READ_TOPICS"));
  EXPECT_FALSE(path_permission_from_name(""));
}

TEST(Permissions, EveryNameRoundTrips) {
  for (unsigned i = 0; i < kGlobalPermissionCount; ++i) {
    auto p = static_cast<GlobalPermission>(i);
    EXPECT_EQ(global_permission_from_name(name_of(p)), p) << name_of(p);
  }
  for (unsigned i = 0; i < kPathPermissionCount; ++i) {
    auto p = static_cast<PathPermission>(i);
    EXPECT_EQ(path_permission_from_name(name_of(p)), p) << name_of(p);
  }
}

// Names are found by length and first letter, then compared whole: names
// that share both (READ_TOPIC_VIEWS, REGISTER_HANDLER) must still be told
// apart, in any case.
TEST(Permissions, NamesSharingLengthAndFirstLetterAreToldApart) {
  EXPECT_EQ(global_permission_from_name("read_topic_views"), GlobalPermission::READ_TOPIC_VIEWS);
  EXPECT_EQ(global_permission_from_name("Register_Handler"), GlobalPermission::REGISTER_HANDLER);
  EXPECT_EQ(path_permission_from_name("select_topic"), PathPermission::SELECT_TOPIC);
  EXPECT_EQ(path_permission_from_name("SEND_TO_SESSION"), PathPermission::SEND_TO_SESSION);
  EXPECT_FALSE(global_permission_from_name("REGISTER_HANDLEs"));
  EXPECT_FALSE(path_permission_from_name("SELECT_TOPIX"));
}

TEST(Permissions, LowerCaseOfEveryNameIsFound) {
  for (unsigned i = 0; i < kPathPermissionCount; ++i) {
    auto p = static_cast<PathPermission>(i);
    std::string lower(name_of(p));
    for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    EXPECT_EQ(path_permission_from_name(lower), p) << lower;
  }
}

// Names are compared eight bytes at a time: every byte value in every
// place of every name is found exactly when it is that place's letter in
// either case (ASCII only: no other byte, whatever its bits, stands in).
TEST(Permissions, OneByteChangedAnywhereIsFoundOnlyAsTheLetterInEitherCase) {
  auto check = [](std::span<const std::string_view> names, auto find) {
    for (std::size_t n = 0; n < names.size(); ++n) {
      for (std::size_t at = 0; at < names[n].size(); ++at) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string word(names[n]);
          const char written = static_cast<char>(byte);
          const char canonical = word[at];
          word[at] = written;
          const bool same_letter = written == canonical || (canonical >= 'A' && canonical <= 'Z' && written == canonical + 32);
          const auto found = find(word);
          if (same_letter) {
            ASSERT_TRUE(found && static_cast<std::size_t>(*found) == n) << word;
          } else {
            ASSERT_FALSE(found && static_cast<std::size_t>(*found) == n) << names[n] << " byte " << byte << " at " << at;
          }
        }
      }
    }
  };
  check(path_permission_names(), [](std::string_view w) { return path_permission_from_name(w); });
  check(global_permission_names(), [](std::string_view w) { return global_permission_from_name(w); });
}

TEST(Permissions, WordsThatCannotBeNamesAreNotFound) {
  EXPECT_FALSE(path_permission_from_name("_READ_TOPIC"));
  EXPECT_FALSE(path_permission_from_name("1READ_TOPIC"));
  EXPECT_FALSE(path_permission_from_name(std::string(200, 'Q')));
  EXPECT_FALSE(path_permission_from_name("READ\xdfTOPIC"));
  EXPECT_FALSE(path_permission_from_name("READ?TOPIC"));
  EXPECT_FALSE(global_permission_from_name("AUTHENTICATE\n"));
}

TEST(Permissions, SetsListNamesInDeclarationOrder) {
  PathPermissions s;
  s.add(PathPermission::EXPOSE_BRANCH);
  s.add(PathPermission::READ_TOPIC);
  EXPECT_EQ(names_of(s), (std::vector<std::string>{"READ_TOPIC", "EXPOSE_BRANCH"}));
  EXPECT_TRUE(names_of(GlobalPermissions{}).empty());
}

}  // namespace
}  // namespace secstore
