// The pam_secstore.so lines of a service's whole stack, as libpam assembles
// it from the service's file and the files it includes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "conf_test_support.hpp"
#include "secstore/pam_stack.hpp"

namespace secstore::test {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> summary(const std::vector<PamLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    std::string args;
    for (const auto& a : l.args) args += " " + a;
    out.push_back(std::filesystem::path(l.where.file).filename().string() + ":" + std::to_string(l.where.line) +
                  " " + l.type + " " + l.control + args);
  }
  return out;
}

TEST(PamStack, IncludesAreFollowedInPlaceAndTypedIncludesKeepTheirType) {
  ConfTempDir dir;
  dir.write("common-account", "account required pam_unix.so\naccount required pam_secstore.so require=AUTHENTICATE\n");
  dir.write("common-session",
            "session required pam_unix.so\n-session optional pam_secstore.so debug\n"
            "account required pam_secstore.so require=VIEW_SERVER\n");
  const std::string login = dir.write("login",
                                      "@include common-account\n"
                                      "account required pam_secstore.so require=CONTROL_SERVER\n"
                                      "session include common-session\n");
  auto lines = service_secstore_lines(login);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(summary(*lines.value), (std::vector<std::string>{
                                       "common-account:2 account required require=AUTHENTICATE",
                                       "login:2 account required require=CONTROL_SERVER",
                                       "common-session:2 session optional debug",
                                   }));
  // The service's own file alone, as `check --pam` reads it.
  EXPECT_EQ(summary(*secstore_lines(login).value),
            (std::vector<std::string>{"login:2 account required require=CONTROL_SERVER"}));
}

TEST(PamStack, AMissingIncludeOrALoopIsAnError) {
  ConfTempDir dir;
  const std::string missing = dir.write("svc", "@include not-there\n");
  auto lines = service_secstore_lines(missing);
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.first_error()->problem, Problem::Unreadable);
  EXPECT_THAT(lines.first_error()->str(), HasSubstr("not-there"));

  const std::string loop = dir.write("loop", "session substack loop\n");
  lines = service_secstore_lines(loop);
  ASSERT_FALSE(lines.ok());
  EXPECT_THAT(lines.first_error()->message, HasSubstr("nested deeper than 16"));
}

}  // namespace
}  // namespace secstore::test
