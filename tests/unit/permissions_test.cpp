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

TEST(Permissions, SetsListNamesInDeclarationOrder) {
  PathPermissions s;
  s.add(PathPermission::EXPOSE_BRANCH);
  s.add(PathPermission::READ_TOPIC);
  EXPECT_EQ(names_of(s), (std::vector<std::string>{"READ_TOPIC", "EXPOSE_BRANCH"}));
  EXPECT_TRUE(names_of(GlobalPermissions{}).empty());
}

}  // namespace
}  // namespace secstore
