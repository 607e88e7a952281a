// `secstore check`: diagnostics as FILE:LINE:COL on stderr, one summary
// line per file on stdout, exit 0 (warnings allowed), 1 (errors), 2 (a file
// that cannot be read).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "needs_root.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kGoodStore =
    "set \"A\" permissions [REGISTER_HANDLER]\n"
    "set roles for user \"alice\" [\"A\"]\n";
constexpr const char* kGoodConf =
    "Security \"web\" {\n"
    "  user = alice\n"
    "  capabilities = \"^cap_net_bind_service\"\n"
    "}\n";

// Tests whose files must draw no "not owned by root" warning.
constexpr const char* kOwnedByRoot = "the files it writes must be owned by root, or check warns";

class Check : public ::testing::Test {
 protected:
  CommandResult check(const std::string& store, const std::string& conf) {
    return run_secstore({"check", "--store", store, "--conf", conf});
  }
  TempDir dir;
};

TEST_F(Check, GoodFilesPassQuietly) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, store + ": ok\n" + conf + ": ok\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(Check, StoreErrorNamesLineAndColumn) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store",
                         "set \"A\" permissions [REGISTER_HANDLER]\n"
                         "# the next line has a typo\n"
                         "set \"B\" permissions [REGISTR_HANDLER]\n");
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(store + ":3:22: error: "));
  EXPECT_THAT(r.err, HasSubstr("REGISTR_HANDLER"));
  EXPECT_EQ(r.out, store + ": invalid, 1 error\n" + conf + ": ok\n");
}

TEST_F(Check, ConfErrorNamesLineAndColumn) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n"
                        "  usr = alice\n"
                        "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(conf + ":2:3: error: "));
  EXPECT_THAT(r.out, HasSubstr(conf + ": invalid"));
}

TEST_F(Check, BothFilesAreCheckedEvenWhenTheFirstFails) {
  auto store = dir.write("Security.store", "set \"A\" permissions [BOGUS]\n");
  auto conf = dir.write("secstore.conf", "Bogus {\n}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(store + ":1:"));
  EXPECT_THAT(r.err, HasSubstr(conf + ":1:"));
}

TEST_F(Check, MissingFileIsAnIoError) {
  auto conf = dir.write("secstore.conf", kGoodConf);
  std::string store = dir.path() + "/absent.store";
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(store + ": error: cannot open the file: No such file or directory"));
  EXPECT_THAT(r.out, HasSubstr(store + ": cannot be read\n"));
}

TEST_F(Check, DirectoryInsteadOfAFileIsAnIoError) {
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(dir.path(), conf);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("expected a regular file, found a directory"));
}

TEST_F(Check, WorldWritableFileIsAWarningNotAnError) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", kGoodStore, 0666);
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, store +
                       ": warning: pam_secstore would refuse this file: it is writable by others "
                       "(mode 0666)\n");
  EXPECT_EQ(r.out, store + ": ok, 1 warning\n" + conf + ": ok\n");
}

TEST_F(Check, GroupWritableConfIsAWarning) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", kGoodConf, 0664);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr(conf + ": warning: pam_secstore would refuse this file: it is "
                                      "writable by its group (mode 0664)"));
}

TEST_F(Check, RemovingAnAbsentAssignmentIsAWarning) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", "remove \"A\" permissions for path \"x\"\n");
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith(store + ":1:"));
  EXPECT_THAT(r.err, HasSubstr(": warning: "));
  EXPECT_EQ(r.out, store + ": ok, 1 warning\n" + conf + ": ok\n");
}

TEST_F(Check, ScopeThatConfinesRootIsAWarning) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n"
                        "  capabilities = \"cap_net_raw\"\n"
                        "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith(conf + ":"));
  EXPECT_THAT(r.err, HasSubstr("warning:"));
  EXPECT_THAT(r.err, HasSubstr("root"));
}

TEST_F(Check, GroupUnknownToThisHostIsAWarning) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n"
                        "  user = alice\n"
                        "  group = secstore-no-such-group\n"
                        "  capabilities = \"cap_net_raw\"\n"
                        "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(conf + ":3:11: warning: group \"secstore-no-such-group\" does not "
                                      "exist on this host\n"));
}

TEST_F(Check, ExistingGroupIsNotReported) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n"
                        "  user = alice\n"
                        "  group = root\n"
                        "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, Not(HasSubstr("does not exist")));
}

TEST_F(Check, PerServiceOverrideIsCheckedToo) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto web = dir.write("secstore.d/web.conf",
                       "Security {\n"
                       "  user = alice\n"
                       "  capabilities = \"cap_no_such_cap\"\n"
                       "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(web + ":3:"));
  EXPECT_THAT(r.err, HasSubstr("cap_no_such_cap"));
  EXPECT_THAT(r.out, HasSubstr(web + ": invalid, 1 error\n"));
}

TEST_F(Check, UnsafeIncludedFileIsAWarning) {
  SECSTORE_NEEDS_ROOT(kOwnedByRoot);
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", "include \"more.conf\"\n");
  auto more = dir.write("more.conf", kGoodConf, 0646);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(more + ": warning: pam_secstore would refuse this file: it is "
                                      "writable by others (mode 0646)"));
}

TEST_F(Check, WorkedExampleIsValid) {
  auto r = check(source_path("tests/data/cli/worked-example.store"),
                 source_path("tests/data/cli/worked-example.conf"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Every shipped example must pass (conf/ is written by the packaging
// engineer: conf/Security.store + conf/secstore.conf, and pairs in
// conf/examples/NAME/).
TEST(CheckShipped, EveryShippedConfigurationPasses) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  if (fs::exists(source_path("conf/Security.store"))) dirs.push_back(source_path("conf"));
  std::error_code ec;
  for (fs::directory_iterator it(source_path("conf/examples"), ec), end; !ec && it != end;
       it.increment(ec))
    if (it->is_directory() && fs::exists(it->path() / "Security.store")) dirs.push_back(it->path());
  if (dirs.empty()) GTEST_SKIP() << "no shipped configuration in conf/ yet";
  for (const auto& d : dirs) {
    auto r = run_secstore({"check", "--store", (d / "Security.store").string(), "--conf",
                           (d / "secstore.conf").string()});
    EXPECT_EQ(r.exit_code, 0) << d << "\n" << r.out << r.err;
  }
}

}  // namespace
}  // namespace secstore_test
