// SPEC §2.3: every row of the worked example's table, one test each.
#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace secstore::testing {
namespace {

class WorkedExample : public ::testing::Test {
 protected:
  static std::string text() { return read_test_file("tests/data/stores/worked-example.store"); }
  Store store = must_parse(text(), "worked-example.store");
};

TEST_F(WorkedExample, RoleAAtUnassignedPathGetsDefault) {
  EXPECT_EQ(path_names(store, {"A"}, "q"), Names({"READ_TOPIC"}));
}

TEST_F(WorkedExample, RoleABelowAssignmentInheritsIt) {
  EXPECT_EQ(path_names(store, {"A"}, "x/w"), Names({"UPDATE_TOPIC"}));
}

TEST_F(WorkedExample, RoleABelowEmptyAssignmentHasNothing) {
  EXPECT_EQ(path_names(store, {"A"}, "x/y/z"), Names{});
}

TEST_F(WorkedExample, RolesAAndBAtXUnionTheirAnswers) {
  EXPECT_EQ(path_names(store, {"A", "B"}, "x"), Names({"SELECT_TOPIC", "UPDATE_TOPIC"}));
}

TEST_F(WorkedExample, RolesAAndBAtXYGetOnlyBsDefault) {
  EXPECT_EQ(path_names(store, {"A", "B"}, "x/y"), Names({"SELECT_TOPIC"}));
}

TEST_F(WorkedExample, RolesAAndBDeepBelowBsAssignment) {
  EXPECT_EQ(path_names(store, {"A", "B"}, "x/y/z/w"), Names({"MODIFY_TOPIC"}));
}

TEST_F(WorkedExample, RoleAAtIsolatedPathHasNothing) {
  EXPECT_EQ(path_names(store, {"A"}, "iso"), Names{});
}

TEST_F(WorkedExample, RoleBBelowAssignmentInsideIsolationKeepsIt) {
  EXPECT_EQ(path_names(store, {"B"}, "iso/in/deep"), Names({"READ_TOPIC"}));
}

TEST_F(WorkedExample, RoleCGlobalPermissionsIncludeAs) {
  EXPECT_EQ(global_names(store, {"C"}), Names({"REGISTER_HANDLER", "VIEW_SESSION"}));
}

TEST_F(WorkedExample, RoleCAtXGetsAsAssignment) {
  EXPECT_EQ(path_names(store, {"C"}, "x"), Names({"UPDATE_TOPIC"}));
}

TEST_F(WorkedExample, RoleAAfterRemoveInheritsFromParentAgain) {
  Store after = must_parse(text() + "remove \"A\" permissions for path \"x/y\"\n");
  EXPECT_EQ(path_names(after, {"A"}, "x/y/z"), Names({"UPDATE_TOPIC"}));
}

TEST_F(WorkedExample, RoleAAfterDeisolateGetsDefaultAgain) {
  Store after = must_parse(text() + "deisolate path \"iso\"\n");
  EXPECT_EQ(path_names(after, {"A"}, "iso"), Names({"READ_TOPIC"}));
}

}  // namespace
}  // namespace secstore::testing
