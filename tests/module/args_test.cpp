// Module arguments (SPEC §4.2): every argument, typos, repeats.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "secstore/module_args.hpp"

namespace secstore {
namespace {

ParsedArgs parse(std::vector<std::string> words) {
  std::vector<const char*> argv;
  for (const auto& w : words) argv.push_back(w.c_str());
  return parse_module_args(static_cast<int>(argv.size()), argv.data());
}

ModuleArgs parse_ok(std::vector<std::string> words) {
  auto parsed = parse(std::move(words));
  EXPECT_TRUE(parsed.error.empty()) << parsed.error;
  return parsed.args.value_or(ModuleArgs{});
}

std::string parse_error(std::vector<std::string> words) {
  auto parsed = parse(std::move(words));
  EXPECT_FALSE(parsed.args.has_value());
  return parsed.error;
}

TEST(ModuleArgs, NoArgumentsGiveTheDocumentedDefaults) {
  ModuleArgs args = parse_ok({});
  EXPECT_EQ(args.store_path, SECSTORE_DEFAULT_STORE);
  EXPECT_EQ(args.conf_path, SECSTORE_DEFAULT_CONF);
  EXPECT_FALSE(args.debug);
  EXPECT_FALSE(args.noenv);
  EXPECT_EQ(args.anonymous.users, std::vector<std::string>{"anonymous"});
  EXPECT_TRUE(args.anonymous.groups.empty());
  EXPECT_TRUE(args.required.empty());
  EXPECT_TRUE(args.required_paths.empty());
}

TEST(ModuleArgs, OnePathGivenKeepsTheOtherDefault) {
  EXPECT_EQ(parse_ok({"store=/srv/s.store"}).conf_path, SECSTORE_DEFAULT_CONF);
  EXPECT_EQ(parse_ok({"store=/srv/s.store"}).store_path, "/srv/s.store");
  EXPECT_EQ(parse_ok({"conf=/srv/s.conf"}).store_path, SECSTORE_DEFAULT_STORE);
  EXPECT_EQ(parse_ok({"conf=/srv/s.conf"}).conf_path, "/srv/s.conf");
}

TEST(ModuleArgs, EveryArgumentIsUnderstood) {
  ModuleArgs args = parse_ok({"store=/s/Security.store", "conf=/c/secstore.conf", "debug",
                              "noenv", "anonymous=guest,@visitors,ftp",
                              "require=CONTROL_SERVER", "require_path=net/eth0:READ_TOPIC"});
  EXPECT_EQ(args.store_path, "/s/Security.store");
  EXPECT_EQ(args.conf_path, "/c/secstore.conf");
  EXPECT_TRUE(args.debug);
  EXPECT_TRUE(args.noenv);
  EXPECT_EQ(args.anonymous.users, (std::vector<std::string>{"guest", "ftp"}));
  EXPECT_EQ(args.anonymous.groups, std::vector<std::string>{"visitors"});
  EXPECT_TRUE(args.required.has(GlobalPermission::CONTROL_SERVER));
  EXPECT_FALSE(args.required.has(GlobalPermission::VIEW_SERVER));
  ASSERT_EQ(args.required_paths.size(), 1u);
  EXPECT_EQ(args.required_paths[0].path, "net/eth0");
  EXPECT_TRUE(args.required_paths[0].permissions.has(PathPermission::READ_TOPIC));
}

TEST(ModuleArgs, PermissionNamesAreCaseInsensitiveAndListsAccumulate) {
  ModuleArgs args = parse_ok({"require=control_server,View_Session", "require=AUTHENTICATE"});
  EXPECT_TRUE(args.required.has(GlobalPermission::CONTROL_SERVER));
  EXPECT_TRUE(args.required.has(GlobalPermission::VIEW_SESSION));
  EXPECT_TRUE(args.required.has(GlobalPermission::AUTHENTICATE));
}

TEST(ModuleArgs, RepeatedRequirePathKeepsEachOneInOrder) {
  ModuleArgs args = parse_ok({"require_path=a:READ_TOPIC,select_topic", "require_path=/b/c/:UPDATE_TOPIC"});
  ASSERT_EQ(args.required_paths.size(), 2u);
  EXPECT_EQ(args.required_paths[0].path, "a");
  EXPECT_TRUE(args.required_paths[0].permissions.has(PathPermission::SELECT_TOPIC));
  EXPECT_EQ(args.required_paths[1].path, "/b/c/");
  EXPECT_TRUE(args.required_paths[1].permissions.has(PathPermission::UPDATE_TOPIC));
  EXPECT_FALSE(args.required_paths[1].permissions.has(PathPermission::READ_TOPIC));
}

TEST(ModuleArgs, APathMayHoldAColonThePermissionsFollowTheLastOne) {
  ModuleArgs args = parse_ok({"require_path=svc:8080/x:READ_TOPIC"});
  ASSERT_EQ(args.required_paths.size(), 1u);
  EXPECT_EQ(args.required_paths[0].path, "svc:8080/x");
}

TEST(ModuleArgs, LaterStoreAndConfReplaceEarlierOnes) {
  ModuleArgs args = parse_ok({"store=/a", "store=/b", "conf=/c", "conf=/d"});
  EXPECT_EQ(args.store_path, "/b");
  EXPECT_EQ(args.conf_path, "/d");
}

TEST(ModuleArgs, AnEmptyAnonymousListMakesNobodyAnonymousByName) {
  ModuleArgs args = parse_ok({"anonymous="});
  EXPECT_TRUE(args.anonymous.users.empty());
  EXPECT_TRUE(args.anonymous.groups.empty());
}

TEST(ModuleArgs, UnknownArgumentsAreNamedWithTheListOfValidOnes) {
  EXPECT_EQ(parse_error({"degub"}),
            "unknown argument \"degub\" (did you mean debug?); expected store=PATH, conf=PATH, debug, anonymous=LIST, "
            "require=PERM[,PERM], require_path=PATH:PERM[,PERM], noenv or nokeepcaps");
  EXPECT_NE(parse_error({"requre=CONTROL_SERVER"}).find("unknown argument \"requre=CONTROL_SERVER\" (did you mean require?)"),
            std::string::npos);
  EXPECT_NE(parse_error({"debug", "stor=/x"}).find("unknown argument \"stor=/x\""), std::string::npos);
  EXPECT_NE(parse_error({"store"}).find("unknown argument \"store\""), std::string::npos);
  EXPECT_NE(parse_error({"debug=1"}).find("unknown argument \"debug=1\""), std::string::npos);
  EXPECT_NE(parse_error({"NOENV"}).find("unknown argument \"NOENV\""), std::string::npos);
}

TEST(ModuleArgs, RelativeFileNamesAreRefused) {
  // SPEC §4.5: a relative store= would be read from whatever directory the
  // login program happens to run in.
  EXPECT_EQ(parse_error({"store=Security.store"}),
            "argument \"store=Security.store\": the path must be absolute (it would be read relative to the login "
            "program's working directory)");
  EXPECT_NE(parse_error({"conf=./secstore.conf"}).find("must be absolute"), std::string::npos);
}

TEST(ModuleArgs, NokeepcapsIsUnderstood) { EXPECT_TRUE(parse_ok({"nokeepcaps"}).nokeepcaps); }

TEST(ModuleArgs, EmptyFileNamesAreRefused) {
  EXPECT_EQ(parse_error({"store="}), "argument \"store=\": expected a file name");
  EXPECT_EQ(parse_error({"conf="}), "argument \"conf=\": expected a file name");
}

TEST(ModuleArgs, RequireNamesOnlyGlobalPermissions) {
  EXPECT_EQ(parse_error({"require=READ_TOPIC"}),
            "argument \"require=READ_TOPIC\": READ_TOPIC is a path permission; use "
            "require_path=PATH:READ_TOPIC");
  EXPECT_EQ(parse_error({"require=CONTROL_SERVR"}),
            "argument \"require=CONTROL_SERVR\": CONTROL_SERVR is not a global permission (did you mean "
            "CONTROL_SERVER?)");
  EXPECT_NE(parse_error({"require="}).find("expected a comma-separated list of global permissions"),
            std::string::npos);
  EXPECT_NE(parse_error({"require=AUTHENTICATE,"}).find("expected a comma-separated list"),
            std::string::npos);
}

TEST(ModuleArgs, RequirePathNeedsAPathAndPathPermissions) {
  EXPECT_EQ(parse_error({"require_path=net"}),
            "argument \"require_path=net\": expected require_path=PATH:PERM[,PERM]");
  EXPECT_EQ(parse_error({"require_path=:READ_TOPIC"}),
            "argument \"require_path=:READ_TOPIC\": the path is empty");
  EXPECT_EQ(parse_error({"require_path=//:READ_TOPIC"}),
            "argument \"require_path=//:READ_TOPIC\": the path is empty");
  EXPECT_EQ(parse_error({"require_path=net:CONTROL_SERVER"}),
            "argument \"require_path=net:CONTROL_SERVER\": CONTROL_SERVER is a global permission; "
            "use require=CONTROL_SERVER");
  EXPECT_EQ(parse_error({"require_path=net:READ"}),
            "argument \"require_path=net:READ\": READ is not a path permission");
  EXPECT_NE(parse_error({"require_path=net:"}).find("expected a comma-separated list of path permissions"),
            std::string::npos);
}

TEST(ModuleArgs, AnonymousListsRefuseEmptyEntries) {
  EXPECT_NE(parse_error({"anonymous=guest,,ftp"}).find("expected comma-separated user names and @group"),
            std::string::npos);
  EXPECT_NE(parse_error({"anonymous=@"}).find("expected comma-separated user names and @group"),
            std::string::npos);
}

TEST(ModuleArgs, TheFirstBadArgumentStopsParsing) {
  EXPECT_NE(parse_error({"bogus1", "bogus2"}).find("\"bogus1\""), std::string::npos);
}

}  // namespace
}  // namespace secstore
