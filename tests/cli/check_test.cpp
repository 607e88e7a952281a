// `secstore check`: would pam_secstore accept these files? Diagnostics as
// FILE:LINE:COL on stderr, one summary line per file on stdout; exit 0 when
// the module would open a session with them (warnings allowed), 1 when it
// would refuse them (what they say, an unsafe file or directory, a group
// that does not exist, a chroot it would refuse), 2 when a file cannot be
// read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>

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

// check answers for the module, which accepts only root-owned files: the
// files these tests write are root's only when root runs them.
class Check : public ::testing::Test {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("pam_secstore accepts only root-owned files, and so does check");
  }
  CommandResult check(const std::string& store, const std::string& conf) {
    return run_secstore({"check", "--store", store, "--conf", conf});
  }
  TempDir dir;
};

TEST_F(Check, GoodFilesPassQuietly) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, store + ": ok\n" + conf + ": ok\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(Check, StoreErrorNamesLineAndColumnWithADidYouMean) {
  auto store = dir.write("Security.store",
                         "set \"A\" permissions [REGISTER_HANDLER]\n"
                         "# the next line has a typo\n"
                         "set \"B\" permissions [REGISTR_HANDLER]\n");
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(store + ":3:22: error: "));
  EXPECT_THAT(r.err, HasSubstr("REGISTR_HANDLER"));
  EXPECT_THAT(r.err, HasSubstr("did you mean REGISTER_HANDLER?"));
  EXPECT_EQ(r.out, store + ": invalid, 1 error\n" + conf + ": ok\n");
}

TEST_F(Check, ConfErrorNamesLineAndColumn) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n"
                        "  usr = alice\n"
                        "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith(conf + ":2:3: error: unknown option \"usr\" in a Security scope (did you mean user?)"));
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

// SPEC §5: check exits 1 exactly where the module refuses, with the
// module's own sentence.
TEST_F(Check, AWorldWritableStoreIsRefusedAsTheModuleRefusesIt) {
  auto store = dir.write("Security.store", kGoodStore, 0666);
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, store + ": error: refusing an unsafe file: it is writable by others (mode 0666)\n");
  EXPECT_EQ(r.out, store + ": invalid, 1 error\n" + conf + ": ok\n");
}

TEST_F(Check, AGroupWritableOrForeignConfIsRefused) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", kGoodConf, 0664);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(conf + ": error: refusing an unsafe file: it is writable by its group (mode 0664)"));
  ASSERT_EQ(::chmod(conf.c_str(), 0644), 0);
  ASSERT_EQ(::chown(conf.c_str(), 65534, 65534), 0);
  r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(conf + ": error: refusing an unsafe file: it is owned by uid 65534, not by root"));
}

TEST_F(Check, AFileInAWritableDirectoryIsRefused) {
  auto store = dir.write("etc/Security.store", kGoodStore);
  auto conf = dir.write("etc/secstore.conf", kGoodConf);
  ASSERT_EQ(::chmod((dir.path() + "/etc").c_str(), 0777), 0);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(store + ": error: refusing an unsafe file: its directory " + dir.path() +
                               "/etc is writable by others (mode 0777)"));
}

TEST_F(Check, ASymlinkToAUserOwnedFileIsRefused) {
  auto theirs = dir.write("theirs.store", kGoodStore);
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  const std::string store = dir.path() + "/Security.store";
  ASSERT_EQ(::symlink(theirs.c_str(), store.c_str()), 0);
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(store + ": error: refusing an unsafe file: it is owned by uid 65534, not by root"));
}

TEST_F(Check, AnUnsafeIncludedFileIsRefusedAtTheInclude) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", "include \"more.conf\"\n");
  auto more = dir.write("more.conf", kGoodConf, 0646);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(conf + ":1:9: error: cannot include \"more.conf\" (" + more +
                               "): refusing an unsafe file: it is writable by others (mode 0646)"));
}

TEST_F(Check, AWritableOverrideDirectoryIsRefused) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", kGoodConf);
  dir.write("secstore.d/sshd.conf", "Security { }\n");
  ASSERT_EQ(::chmod((dir.path() + "/secstore.d").c_str(), 0777), 0);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir.path() + "/secstore.d: error: refusing an unsafe directory: it is writable by "
                                            "others (mode 0777)"));
}

TEST_F(Check, RemovingAnAbsentAssignmentIsAWarning) {
  auto store = dir.write("Security.store", "remove \"A\" permissions for path \"x\"\n");
  auto conf = dir.write("secstore.conf", kGoodConf);
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith(store + ":1:"));
  EXPECT_THAT(r.err, HasSubstr(": warning: "));
  EXPECT_EQ(r.out, store + ": ok, 1 warning\n" + conf + ": ok\n");
}

TEST_F(Check, AScopeRootMatchesIsAWarning) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n"
                        "  capabilities = \"cap_net_raw\"\n"
                        "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, StartsWith(conf + ":2:18: warning: this scope confines root's sessions"));
}

TEST_F(Check, AScopeRootCannotMatchIsNotWarnedAbout) {
  // SPEC §5: a warning names a real consequence. root holds no role "A".
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n  role = A\n  capabilities = \"^cap_net_raw\"\n}\n"
                        "Security {\n  user = nobody\n  capabilities = \"^cap_net_raw\"\n}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
}

TEST_F(Check, ARoleScopeWithoutTheStoreCouldConfineRoot) {
  auto conf = dir.write("secstore.conf", "Security {\n  role = A\n  capabilities = \"^cap_net_raw\"\n}\n");
  auto r = run_secstore({"check", "--conf", conf});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("could confine root's sessions (if root holds one of its roles)"));
}

TEST_F(Check, AGroupThatDoesNotExistIsRefusedAsTheModuleRefusesIt) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf",
                        "Security {\n"
                        "  user = alice\n"
                        "  group = secstore-no-such-group\n"
                        "  capabilities = \"cap_net_raw\"\n"
                        "}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(conf + ":3:11: error: group \"secstore-no-such-group\" does not exist\n"));
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

TEST_F(Check, AChrootTheModuleWouldRefuseIsAnError) {
  auto store = dir.write("Security.store", kGoodStore);
  const std::string jail = dir.path() + "/jail";
  ASSERT_EQ(::mkdir(jail.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(jail.c_str(), 0777), 0);
  auto conf = dir.write("secstore.conf", "Security {\n  user = alice\n  chroot = \"" + jail + "\"\n}\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(conf + ":3:12: error: chroot directory " + jail +
                               ": error: refusing an unsafe directory: it is writable by others (mode 0777)"));
}

TEST_F(Check, PerServiceOverrideIsCheckedToo) {
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

// SPEC §5: `--store F` alone checks F alone (a validate hook), even on a
// host without a secstore.conf.
TEST_F(Check, EitherFileAloneIsCheckedAlone) {
  auto store = dir.write("s.store", "set \"B\" permissions [REGISTR_HANDLER]\n");
  auto r = run_secstore({"check", "--store", store});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, store + ": invalid, 1 error\n");
  auto conf = dir.write("c.conf", kGoodConf);
  r = run_secstore({"check", "--conf", conf});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, conf + ": ok\n");
}

TEST_F(Check, AStaleIndexIsReported) {
  auto store = dir.write("Security.store", kGoodStore);
  auto conf = dir.write("secstore.conf", kGoodConf);
  ASSERT_EQ(run_secstore({"compile", "--store", store, "--conf", conf}).exit_code, 0);
  EXPECT_EQ(check(store, conf).out, store + ": ok\n" + conf + ": ok\n");
  dir.write("Security.store", std::string(kGoodStore) + "set roles for user \"bob\" [\"A\"]\n");
  auto r = check(store, conf);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr(store + ".idx: warning: pam_secstore does not use it: " + store +
                               " has changed since it was compiled; run `secstore compile`"));
}

TEST_F(Check, WorkedExampleIsValid) {
  // The worked example names the group "netops": on a host without it, the
  // module would refuse every session, and check says so.
  auto r = check(source_path("tests/data/cli/worked-example.store"), source_path("tests/data/cli/worked-example.conf"));
  if (r.exit_code == 1 && r.err.find("group \"netops\" does not exist") != std::string::npos)
    GTEST_SKIP() << "this host has no group netops";
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Every shipped example must be right: nothing may fail but what depends
// on the host (a group the example names that this host lacks, a chroot
// directory it has not made). Copied first, so that the files are root's.
TEST_F(Check, EveryShippedConfigurationIsValid) {
  namespace fs = std::filesystem;
  std::vector<fs::path> dirs;
  if (fs::exists(source_path("conf/Security.store"))) dirs.push_back(source_path("conf"));
  std::error_code ec;
  for (fs::directory_iterator it(source_path("conf/examples"), ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory() && fs::exists(it->path() / "Security.store")) dirs.push_back(it->path());
  ASSERT_FALSE(dirs.empty());
  const std::regex host_dependent(R"(error: (group "[^"]+" does not exist|chroot directory \S+: error: cannot open the directory: No such file or directory))");
  for (const auto& d : dirs) {
    const fs::path copy = fs::path(dir.path()) / d.filename();
    fs::copy(d, copy, fs::copy_options::recursive);
    auto r = run_secstore({"check", "--store", (copy / "Security.store").string(), "--conf",
                           (copy / "secstore.conf").string()});
    std::istringstream lines(r.err);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find(": error: ") != std::string::npos) {
        EXPECT_TRUE(std::regex_search(line, host_dependent)) << d << ": " << line;
      }
    }
    EXPECT_NE(r.exit_code, 2) << d << "\n" << r.out << r.err;
  }
}

}  // namespace
}  // namespace secstore_test
