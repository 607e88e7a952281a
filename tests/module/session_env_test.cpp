// SPEC §4.6: the environment a session gets.
#include <gtest/gtest.h>

#include "../../module/session_env.hpp"
#include "pam_seam.hpp"

namespace secstore::module {
namespace {

using ::testing::_;
using ::testing::NiceMock;
using ::testing::Return;
using test::PamSeam;

TEST(SessionEnv, VariablesAreFormattedAsDocumented) {
  EXPECT_EQ(session_variable(false), "SECSTORE_SESSION=named");
  EXPECT_EQ(session_variable(true), "SECSTORE_SESSION=anonymous");
  EXPECT_EQ(roles_variable({"A", "B", "C"}), "SECSTORE_ROLES=A,B,C");
  EXPECT_EQ(roles_variable({"solo"}), "SECSTORE_ROLES=solo");
  EXPECT_EQ(roles_variable({}), "SECSTORE_ROLES=");
}

TEST(SessionEnv, ExportPutsBothVariables) {
  NiceMock<PamSeam> pam;
  EXPECT_FALSE(export_session_env(pam.handle(), false, {"ops", "web"}));
  EXPECT_EQ(pam.env["SECSTORE_SESSION"], "named");
  EXPECT_EQ(pam.env["SECSTORE_ROLES"], "ops,web");
  unexport_session_env(pam.handle());
  EXPECT_TRUE(pam.env.empty());
}

TEST(SessionEnv, AFailedPutenvRemovesWhatWasPutAndSaysWhich) {
  NiceMock<PamSeam> pam;
  EXPECT_CALL(pam, putenv(_)).Times(::testing::AnyNumber());
  EXPECT_CALL(pam, putenv("SECSTORE_ROLES=ops")).WillOnce(Return(PAM_BUF_ERR));
  auto failure = export_session_env(pam.handle(), true, {"ops"});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->kind, FailureKind::System);
  EXPECT_EQ(failure->message, "cannot set SECSTORE_ROLES in the PAM environment: Memory buffer error");
  EXPECT_TRUE(pam.env.empty());
}

}  // namespace
}  // namespace secstore::module
