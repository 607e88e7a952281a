// `include "file-or-dir"` in secstore.conf (SPEC §3): relative to the
// including file, directories in name order without dot-files, cycles
// refused, every file safety-checked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "needs_root.hpp"
#include "conf_test_support.hpp"

namespace secstore::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> matched_names(const Config& conf) {
  auto plan = plan_for(conf, subject_of("alice", 1000));
  EXPECT_TRUE(plan.ok());
  std::vector<std::string> names;
  if (plan.ok())
    for (const auto& s : plan.value->matched) names.push_back(s.name);
  return names;
}

TEST(ConfInclude, FileIsReadRelativeToTheIncludingFile) {
  ConfTempDir dir;
  dir.write("sub/extra.conf", "Security \"extra\" { }\n");
  dir.write("sub/main.conf", "Security \"first\" { }\ninclude \"extra.conf\"\nSecurity \"last\" { }\n");
  auto conf = Config::load(dir / "sub/main.conf", test_safety());
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_THAT(matched_names(*conf.value), ElementsAre("first", "extra", "last"));
  EXPECT_THAT(files_read(*conf.value),
              ElementsAre(dir / "sub/main.conf", dir / "sub/extra.conf"));
}

TEST(ConfInclude, ParseResolvesIncludesAgainstTheGivenFileName) {
  ConfTempDir dir;
  dir.write("extra.conf", "Security \"extra\" { }\n");
  auto conf = Config::parse("include \"extra.conf\"\n", dir / "virtual.conf", test_safety());
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_THAT(matched_names(*conf.value), ElementsAre("extra"));
}

TEST(ConfInclude, IncludeInsideAScopeAddsOptions) {
  ConfTempDir dir;
  dir.write("opts.conf", "chroot = \"/srv/jail\"\n");
  dir.write("main.conf", "Security \"s\" {\n  user = alice\n  include \"opts.conf\"\n}\n");
  auto conf = Config::load(dir / "main.conf", test_safety());
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_EQ(plan_for(*conf.value, subject_of("alice", std::nullopt)).value->chroot, "/srv/jail");
}

TEST(ConfInclude, DirectoryIsReadInNameOrderSkippingDotFiles) {
  ConfTempDir dir;
  dir.write("conf.d/20-b.conf", "Security \"b\" { }\n");
  dir.write("conf.d/10-a.conf", "Security \"a\" { }\n");
  dir.write("conf.d/.hidden.conf", "Security \"hidden\" { }\n");
  dir.write("conf.d/.broken", "this would not parse {\n");
  dir.write("main.conf", "include \"conf.d\"\nSecurity \"main\" { }\n");
  auto conf = Config::load(dir / "main.conf", test_safety());
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_THAT(matched_names(*conf.value), ElementsAre("a", "b", "main"));
}

TEST(ConfInclude, AbsolutePathsAreUsedAsWritten) {
  ConfTempDir dir;
  std::string extra = dir.write("x/extra.conf", "Security \"abs\" { }\n");
  dir.write("main.conf", "include \"" + extra + "\"\n");
  auto conf = Config::load(dir / "main.conf", test_safety());
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_THAT(matched_names(*conf.value), ElementsAre("abs"));
}

TEST(ConfInclude, CycleIsAnErrorAtTheIncludeThatClosesIt) {
  ConfTempDir dir;
  dir.write("a.conf", "include \"b.conf\"\n");
  dir.write("b.conf", "\n  include \"a.conf\"\n");
  auto conf = Config::load(dir / "a.conf", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr(dir / "b.conf:2:11: error: include cycle"));
}

TEST(ConfInclude, FileIncludingItselfIsACycle) {
  ConfTempDir dir;
  dir.write("self.conf", "include \"self.conf\"\n");
  auto conf = Config::load(dir / "self.conf", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("include cycle"));
}

TEST(ConfInclude, CycleThroughASymlinkIsAnError) {
  ConfTempDir dir;
  dir.write("a.conf", "include \"other/link.conf\"\n");
  dir.mkdir("other");
  ASSERT_EQ(::symlink((dir / "a.conf").c_str(), (dir / "other/link.conf").c_str()), 0);
  auto conf = Config::load(dir / "a.conf", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("a.conf:1:9: error: include cycle"));
}

TEST(ConfInclude, CycleThroughADirectoryIsAnError) {
  ConfTempDir dir;
  dir.write("d/loop.conf", "include \"../main.conf\"\n");
  dir.write("main.conf", "include \"d\"\n");
  auto conf = Config::load(dir / "main.conf", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("include cycle"));
}

TEST(ConfInclude, SameFileTwiceWithoutACycleIsAllowed) {
  ConfTempDir dir;
  dir.write("common.conf", "Security \"common\" { }\n");
  dir.write("main.conf", "include \"common.conf\"\ninclude \"common.conf\"\n");
  auto conf = Config::load(dir / "main.conf", test_safety());
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_THAT(matched_names(*conf.value), ElementsAre("common", "common"));
}

TEST(ConfInclude, MissingFileIsAnErrorAtTheIncludedName) {
  ConfTempDir dir;
  dir.write("main.conf", "Security { }\ninclude   \"nope.conf\"\n");
  auto conf = Config::load(dir / "main.conf", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr(dir / "main.conf:2:11: error: cannot include \"nope.conf\""));
  EXPECT_THAT(first_error(conf), HasSubstr("No such file"));
}

TEST(ConfInclude, ErrorsInsideAnIncludedFileNameThatFile) {
  ConfTempDir dir;
  dir.write("bad.conf", "Security {\n  colour = blue\n}\n");
  dir.write("main.conf", "include \"bad.conf\"\n");
  auto conf = Config::load(dir / "main.conf", test_safety());
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr(dir / "bad.conf:2:3: error: unknown option \"colour\""));
}

TEST(ConfInclude, IncludeNeedsAName) {
  auto conf = parse_conf("include { }\n");
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("test.conf:1:9"));
}

TEST(ConfInclude, UnsafeIncludedFileIsRefused) {
  SECSTORE_NEEDS_ROOT("the files it writes must be owned by root");
  ConfTempDir dir;
  dir.write("open.conf", "Security { }\n", 0666);
  dir.write("main.conf", "include \"open.conf\"\n");
  auto conf = Config::load(dir / "main.conf", FileSafety{true});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("main.conf:1:9: error: cannot include \"open.conf\""));
  EXPECT_THAT(first_error(conf), HasSubstr("writable by others"));
}

TEST(ConfInclude, UnsafeFileIsReadWhenSafetyIsNotRequired) {
  // `secstore explain` reads this way, with a warning.
  ConfTempDir dir;
  dir.write("open.conf", "Security \"open\" { }\n", 0666);
  dir.write("main.conf", "include \"open.conf\"\n");
  auto conf = Config::load(dir / "main.conf", FileSafety{false});
  ASSERT_TRUE(conf.ok()) << first_error(conf);
  EXPECT_THAT(files_read(*conf.value), ElementsAre(dir / "main.conf", dir / "open.conf"));
}

TEST(ConfInclude, WritableDirectoryIsRefused) {
  SECSTORE_NEEDS_ROOT("the files it writes must be owned by root");
  ConfTempDir dir;
  dir.write("d/a.conf", "Security { }\n");
  dir.mkdir("d", 0777);
  dir.write("main.conf", "include \"d\"\n");
  auto conf = Config::load(dir / "main.conf", FileSafety{true});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("refusing an unsafe directory: it is writable by others"));
}

TEST(ConfInclude, MainFileItselfIsSafetyChecked) {
  SECSTORE_NEEDS_ROOT("the files it writes must be owned by root");
  ConfTempDir dir;
  dir.write("main.conf", "Security { }\n", 0664);
  auto conf = Config::load(dir / "main.conf", FileSafety{true});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(first_error(conf), HasSubstr("writable by its group"));
}

}  // namespace
}  // namespace secstore::test
