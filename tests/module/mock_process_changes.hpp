// Stands in for the real capability/chroot/group changes, so the hook tests
// see what the module asked for without the test runner changing itself.
#pragma once

#include <gmock/gmock.h>

#include "../../module/process.hpp"

namespace secstore::test {

class MockProcessChanges : public module::ProcessChanges {
 public:
  MockProcessChanges() {
    ON_CALL(*this, apply_session_plan(::testing::_, ::testing::_, ::testing::_))
        .WillByDefault(::testing::Return(std::nullopt));
    ON_CALL(*this, add_supplementary_groups(::testing::_))
        .WillByDefault(::testing::Return(std::nullopt));
  }
  MOCK_METHOD(std::optional<module::Failure>, apply_session_plan,
              (pam_handle_t*, const SessionPlan&, bool), (override));
  MOCK_METHOD(std::optional<module::Failure>, add_supplementary_groups,
              (const std::vector<gid_t>&), (override));
};

}  // namespace secstore::test
