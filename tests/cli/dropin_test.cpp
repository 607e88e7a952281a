// Drop-ins (SPEC §2.4) as an admin meets them: `explain` says which drop-in
// line gave a role or decided a path, `check` names a drop-in's error at its
// own file:line:col and refuses an unsafe one, and a compiled index is stale
// once a drop-in changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "needs_root.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kBase =
    "set \"A\" permissions [REGISTER_HANDLER]\n"
    "set roles for user \"alice\" [\"A\"]\n";
constexpr const char* kHost =
    "# this host's own roles\n"
    "set \"B\" path \"x/y\" permissions [READ_TOPIC]\n"
    "set roles for user \"alice\" [\"A\", \"B\"]\n";
constexpr const char* kConf =
    "Security \"web\" {\n"
    "  role = B\n"
    "  capabilities = \"^cap_net_bind_service\"\n"
    "}\n";

class DropIn : public ::testing::Test {
 protected:
  void SetUp() override {
    ::chmod(dir.path().c_str(), 0755);
    store = dir.write("Security.store", kBase);
    host = dir.write("Security.store.d/10-host.store", kHost);
    conf = dir.write("secstore.conf", kConf);
  }
  CommandResult run(std::vector<std::string> args) {
    std::vector<std::string> full = {args.front(), "--store", store, "--conf", conf};
    full.insert(full.end(), args.begin() + 1, args.end());
    return run_secstore(full);
  }
  TempDir dir;
  std::string store, host, conf;
};

TEST_F(DropIn, ExplainSaysWhichDropInLineGaveTheRoleAndDecidedThePath) {
  auto r = run({"explain", "--user", "alice", "--groups", "", "--path", "x/y"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("roles: A, B\n"));
  EXPECT_THAT(r.out, HasSubstr("  B  roles for user \"alice\" (" + host + ":3)\n"));
  EXPECT_THAT(r.out, HasSubstr("  B  READ_TOPIC  assignment at \"x/y\" (" + host + ":2)\n"));
  EXPECT_THAT(r.out, HasSubstr("ambient:       cap_net_bind_service"));
}

TEST_F(DropIn, ExplainJsonHasTheDropInInItsWhy) {
  auto r = run({"explain", "--user", "alice", "--groups", "", "--path", "x/y", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("{\"role\": \"B\", \"reason\": \"roles for user \\\"alice\\\"\", \"where\": {\"file\": \"" +
                               host + "\", \"line\": 3, \"column\": 1}}"));
  EXPECT_THAT(r.out, HasSubstr("{\"role\": \"B\", \"permissions\": [\"READ_TOPIC\"], \"decided_by\": \"assignment\", "
                               "\"at\": \"x/y\", \"where\": {\"file\": \"" + host + "\", \"line\": 2, \"column\": 1}}"));
}

// What follows reads the files as the module does: root's only.
class DropInAsTheModuleReadsIt : public DropIn {
 protected:
  void SetUp() override {
    SECSTORE_NEEDS_ROOT("pam_secstore accepts only root-owned files, and so do check and compile");
    DropIn::SetUp();
  }
};

TEST_F(DropInAsTheModuleReadsIt, TheCompiledIndexStillNamesTheDropIn) {
  ASSERT_EQ(run({"compile"}).exit_code, 0);
  auto r = run({"explain", "--user", "alice", "--groups", "", "--path", "x/y"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("read from: the compiled index\n"));
  EXPECT_THAT(r.out, HasSubstr("  B  roles for user \"alice\" (" + host + ":3)\n"));
  EXPECT_THAT(r.out, HasSubstr("  B  READ_TOPIC  assignment at \"x/y\" (" + host + ":2)\n"));
}

TEST_F(DropInAsTheModuleReadsIt, CheckNamesAnErrorAtTheDropInsOwnLine) {
  dir.write("Security.store.d/10-host.store", "# this host's own roles\nset \"B\" permissions [VIEW_SERVR]\n");
  for (const auto& r : {run({"check"}), run_secstore({"check", "--store", store})}) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, StartsWith(host + ":2:22: error: "));
    EXPECT_THAT(r.err, HasSubstr("did you mean VIEW_SERVER?"));
    EXPECT_THAT(r.out, StartsWith(store + ": invalid, 1 error\n"));
  }
}

TEST_F(DropInAsTheModuleReadsIt, CheckRefusesAGroupWritableDropIn) {
  // Held to the rule even when the store is checked alone as a validate
  // hook's candidate: the drop-in is installed, not staged.
  ASSERT_EQ(::chmod(host.c_str(), 0664), 0);
  for (const auto& r : {run({"check"}), run_secstore({"check", "--store", store})}) {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, StartsWith(host + ": error: refusing an unsafe file: it is writable by its group (mode 0664)\n"));
    EXPECT_THAT(r.out, StartsWith(store + ": invalid, 1 error\n"));
  }
}

TEST_F(DropInAsTheModuleReadsIt, CheckRefusesAWritableDropInDirectory) {
  ASSERT_EQ(::chmod((dir.path() + "/Security.store.d").c_str(), 0777), 0);
  auto r = run({"check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(dir.path() + "/Security.store.d: error: refusing an unsafe directory: it is writable "
                                            "by others (mode 0777)"));
}

TEST_F(DropInAsTheModuleReadsIt, TheIndexIsStaleOnceADropInChanges) {
  const std::string stale = store + ".idx: warning: pam_secstore does not use it: ";
  ASSERT_EQ(run({"compile"}).exit_code, 0);
  auto r = run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr(".idx")));

  // An edited drop-in.
  dir.write("Security.store.d/10-host.store", std::string(kHost) + "set roles for user \"bob\" [\"B\"]\n");
  r = run({"check"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(stale + host + " has changed since it was compiled; run `secstore compile`"));
  r = run({"explain", "--user", "bob", "--groups", ""});
  EXPECT_THAT(r.out, HasSubstr("read from: the text"));
  EXPECT_THAT(r.out, HasSubstr("roles: B\n"));

  // A new one, then one taken away: the directory's listing changed.
  ASSERT_EQ(run({"compile"}).exit_code, 0);
  const auto extra = dir.write("Security.store.d/20-more.store", "set roles for user \"carol\" [\"A\"]\n");
  r = run({"check"});
  EXPECT_THAT(r.err, HasSubstr(stale + dir.path() + "/Security.store.d has changed since it was compiled"));
  ASSERT_EQ(run({"compile"}).exit_code, 0);
  ASSERT_EQ(::unlink(extra.c_str()), 0);
  r = run({"check"});
  EXPECT_THAT(r.err, HasSubstr(stale + dir.path() + "/Security.store.d has changed since it was compiled"));

  // A drop-in directory that appears after the store was compiled.
  std::filesystem::remove_all(dir.path() + "/Security.store.d");
  ASSERT_EQ(run({"compile"}).exit_code, 0);
  dir.write("Security.store.d/10-host.store", kHost);
  r = run({"check"});
  EXPECT_THAT(r.err, HasSubstr(stale + dir.path() + "/Security.store.d"));
}

}  // namespace
}  // namespace secstore_test
