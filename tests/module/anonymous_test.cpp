// SPEC §4.3: which sessions are anonymous.
#include <gtest/gtest.h>

#include "../../module/anonymous.hpp"

namespace secstore::module {
namespace {

TEST(Anonymous, AnEmptyUserIsAnonymous) {
  EXPECT_TRUE(is_anonymous("", AnonymousList{}, {}));
  EXPECT_TRUE(is_anonymous("", AnonymousList{{}, {}}, {}));
}

TEST(Anonymous, TheDefaultListHoldsTheUserAnonymous) {
  EXPECT_TRUE(is_anonymous("anonymous", AnonymousList{}, {}));
  EXPECT_FALSE(is_anonymous("alice", AnonymousList{}, {}));
  EXPECT_FALSE(is_anonymous("Anonymous", AnonymousList{}, {})) << "user names are case-sensitive";
}

TEST(Anonymous, ListedNamesAreAnonymousOthersAreNot) {
  AnonymousList list{{"guest", "ftp"}, {}};
  EXPECT_TRUE(is_anonymous("guest", list, {"users"}));
  EXPECT_TRUE(is_anonymous("ftp", list, {}));
  EXPECT_FALSE(is_anonymous("anonymous", list, {})) << "anonymous= replaces the default";
}

TEST(Anonymous, MembersOfAListedGroupAreAnonymous) {
  AnonymousList list{{}, {"visitors"}};
  EXPECT_TRUE(is_anonymous("bob", list, {"bob", "visitors"}));
  EXPECT_FALSE(is_anonymous("carol", list, {"carol", "staff"}));
  EXPECT_FALSE(is_anonymous("dave", list, {})) << "a user NSS does not know is in no group";
}

}  // namespace
}  // namespace secstore::module
