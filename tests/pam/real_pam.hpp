// The fixture of the real-libpam tests: a private tree holding the store,
// the conf and a pam.d directory whose service loads the built module, and
// the test users (pam/test_users.hpp).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <security/pam_appl.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

#include "needs_root.hpp"
#include "module/temp_tree.hpp"
#include "pam/pam_harness.hpp"
#include "pam/test_users.hpp"

namespace secstore::test {

inline constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

class RealPam : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("the module refuses files not owned by root and changes capabilities");
    if (!test_users_ready()) GTEST_SKIP() << "useradd could not create the test users";
    store_ = tree_.write("Security.store", read_source("tests/data/pam/Security.store"));
    conf_ = tree_.write("secstore.conf", read_source("tests/data/pam/secstore.conf"));
    confdir_ = tree_.mkdir("pam.d");
  }

  PamOutcome run(std::optional<std::string> user, const std::string& extra = "",
                 PamScenario scenario = {}) {
    write_service(confdir_, "store=" + store_ + " conf=" + conf_ + " " + extra);
    scenario.confdir = confdir_;
    scenario.user = std::move(user);
    PamOutcome o = run_pam(scenario, tree_.path("syslog"));
    EXPECT_EQ(o.child_error, "");
    return o;
  }
  // Opens, then setuid to the user and pam_end(PAM_DATA_SILENT) as su does.
  PamOutcome login(const std::string& user, const std::string& extra = "") {
    PamScenario scenario;
    scenario.setuid_to = uid_of(user);
    return run(user, extra, scenario);
  }

  // SPEC §4.5: the session failed, nothing changed, one line said why.
  void expect_refused(const PamOutcome& o, int rc, int level, const std::string& says) {
    EXPECT_EQ(o.open_rc, rc) << pam_strerror(nullptr, o.open_rc);
    EXPECT_EQ(o.after_open, o.before) << "the process changed although the session failed";
    EXPECT_FALSE(env_value(o, "SECSTORE_SESSION"));
    EXPECT_FALSE(env_value(o, "SECSTORE_ROLES"));
    ASSERT_EQ(o.lines.size(), 1u) << "expected exactly one syslog line, got:\n" << all_lines(o);
    EXPECT_EQ(o.lines[0].facility, LOG_AUTHPRIV);
    EXPECT_EQ(o.lines[0].level, level);
    EXPECT_THAT(o.lines[0].text, ::testing::StartsWith("pam_secstore(secstore-test:session): "));
    EXPECT_THAT(o.lines[0].text, ::testing::HasSubstr(says));
  }

  TempTree tree_;
  std::string store_, conf_, confdir_;
};

}  // namespace secstore::test
