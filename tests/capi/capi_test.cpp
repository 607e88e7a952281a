// The C API through the shared library only (build/libsecstore.so and
// secstore.h), as a C program would use it: load, sessions, permission
// checks, lists, errors, NULL arguments, and concurrent readers.
#include "secstore/secstore.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "needs_root.hpp"

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// SPEC §2.3's worked example, with session roles.
constexpr const char kWorkedExample[] =
    "set \"A\" permissions [REGISTER_HANDLER]\n"
    "set \"A\" default path permissions [READ_TOPIC]\n"
    "set \"A\" path \"x\" permissions [UPDATE_TOPIC]\n"
    "set \"A\" path \"x/y\" permissions []\n"
    "set \"B\" default path permissions [SELECT_TOPIC]\n"
    "set \"B\" path \"x/y/z\" permissions [MODIFY_TOPIC]\n"
    "set \"C\" includes [\"A\"]\n"
    "set \"C\" permissions [VIEW_SESSION]\n"
    "isolate path \"iso\"\n"
    "set \"B\" path \"iso/in\" permissions [READ_TOPIC]\n"
    "set roles for user \"alice\" [\"C\"]\n"
    "set roles for group \"netops\" [\"B\"]\n"
    "set roles for anonymous sessions [\"B\"]\n";

struct StoreFree {
  void operator()(secstore_store* s) const { secstore_store_free(s); }
};
struct SessionFree {
  void operator()(secstore_session* s) const { secstore_session_free(s); }
};
struct StringFree {
  void operator()(char* s) const { secstore_string_free(s); }
};
using StorePtr = std::unique_ptr<secstore_store, StoreFree>;
using SessionPtr = std::unique_ptr<secstore_session, SessionFree>;
using ErrorPtr = std::unique_ptr<char, StringFree>;

// Copies and frees a NULL-terminated array from the library.
std::vector<std::string> take_strv(char** strv) {
  std::vector<std::string> out;
  if (strv == nullptr) return {"<NULL>"};
  for (char** s = strv; *s != nullptr; ++s) out.emplace_back(*s);
  secstore_strv_free(strv);
  return out;
}

StorePtr parse(const std::string& text, std::string* error = nullptr) {
  char* err = nullptr;
  StorePtr store(secstore_store_parse(text.data(), text.size(), "test.store", &err));
  ErrorPtr owned(err);
  if (error != nullptr) *error = err ? err : "";
  return store;
}

SessionPtr session(const secstore_store* store, const char* user,
                   std::vector<const char*> groups, std::string* error = nullptr) {
  groups.push_back(nullptr);
  char* err = nullptr;
  SessionPtr s(secstore_session_new(store, user, groups.data(), &err));
  ErrorPtr owned(err);
  if (error != nullptr) *error = err ? err : "";
  return s;
}

class TempFile {
 public:
  TempFile(const std::string& text, mode_t mode) {
    char name[] = "/tmp/secstore-capi-XXXXXX";
    int fd = ::mkstemp(name);
    if (fd >= 0) ::close(fd);
    path_ = name;
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class CApi : public ::testing::Test {
 protected:
  void SetUp() override {
    store = parse(kWorkedExample);
    ASSERT_NE(store, nullptr);
  }
  StorePtr store;
};

TEST(CApiVersion, IsTheBuiltVersion) { EXPECT_STREQ(secstore_version(), SECSTORE_VERSION); }

TEST_F(CApi, NamedSessionWithGivenGroups) {
  auto s = session(store.get(), "alice", {"netops"});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(secstore_session_is_anonymous(s.get()), 0);
  EXPECT_THAT(take_strv(secstore_session_roles(s.get())), ElementsAre("A", "B", "C"));
  EXPECT_THAT(take_strv(secstore_session_global_permissions(s.get())),
              ElementsAre("VIEW_SESSION", "REGISTER_HANDLER"));
  EXPECT_EQ(secstore_session_has_global(s.get(), "REGISTER_HANDLER"), 1);
  EXPECT_EQ(secstore_session_has_global(s.get(), "view_session"), 1);
  EXPECT_EQ(secstore_session_has_global(s.get(), "CONTROL_SERVER"), 0);
}

TEST_F(CApi, PathPermissionsFollowTheWorkedExample) {
  auto a_and_b = session(store.get(), "alice", {"netops"});
  auto a_only = session(store.get(), "alice", {});
  auto b_only = session(store.get(), nullptr, {});
  ASSERT_TRUE(a_and_b && a_only && b_only);
  EXPECT_EQ(secstore_session_has_path(a_only.get(), "q", "READ_TOPIC"), 1);
  EXPECT_EQ(secstore_session_has_path(a_only.get(), "x/w", "UPDATE_TOPIC"), 1);
  EXPECT_EQ(secstore_session_has_path(a_only.get(), "x/y/z", "UPDATE_TOPIC"), 0);
  EXPECT_EQ(secstore_session_has_path(a_only.get(), "x/y/z", "READ_TOPIC"), 0);
  EXPECT_EQ(secstore_session_has_path(a_only.get(), "iso", "READ_TOPIC"), 0);
  EXPECT_THAT(take_strv(secstore_session_path_permissions(a_and_b.get(), "x")),
              ElementsAre("UPDATE_TOPIC", "SELECT_TOPIC"));
  EXPECT_THAT(take_strv(secstore_session_path_permissions(a_and_b.get(), "x/y")),
              ElementsAre("SELECT_TOPIC"));
  EXPECT_THAT(take_strv(secstore_session_path_permissions(a_and_b.get(), "/x//y/z/w/")),
              ElementsAre("MODIFY_TOPIC"));
  EXPECT_EQ(secstore_session_has_path(b_only.get(), "iso/in/deep", "READ_TOPIC"), 1);
  EXPECT_THAT(take_strv(secstore_session_path_permissions(a_only.get(), "x/y/z")), IsEmpty());
}

TEST_F(CApi, AnonymousSessionFromNullOrEmptyUser) {
  for (const char* user : {static_cast<const char*>(nullptr), ""}) {
    char* err = nullptr;
    SessionPtr s(secstore_session_new(store.get(), user, nullptr, &err));
    ASSERT_NE(s, nullptr) << (err ? err : "");
    EXPECT_EQ(err, nullptr);
    EXPECT_EQ(secstore_session_is_anonymous(s.get()), 1);
    EXPECT_THAT(take_strv(secstore_session_roles(s.get())), ElementsAre("B"));
  }
}

TEST_F(CApi, NssUserWithoutGroupsList) {
  char* err = nullptr;
  SessionPtr s(secstore_session_new(store.get(), "root", nullptr, &err));
  ASSERT_NE(s, nullptr) << (err ? err : "");
  EXPECT_EQ(secstore_session_is_anonymous(s.get()), 0);
  EXPECT_THAT(take_strv(secstore_session_roles(s.get())), IsEmpty());
}

TEST_F(CApi, UnknownUserWithoutGroupsIsAnError) {
  char* err = nullptr;
  SessionPtr s(secstore_session_new(store.get(), "secstore-no-such-user", nullptr, &err));
  ErrorPtr owned(err);
  EXPECT_EQ(s, nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_THAT(err, HasSubstr("secstore-no-such-user"));
}

TEST_F(CApi, UnknownPermissionNamesAreMinusOne) {
  auto s = session(store.get(), "alice", {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(secstore_session_has_global(s.get(), "NO_SUCH"), -1);
  EXPECT_EQ(secstore_session_has_global(s.get(), "READ_TOPIC"), -1);  // a path permission
  EXPECT_EQ(secstore_session_has_path(s.get(), "x", "REGISTER_HANDLER"), -1);  // a global one
  EXPECT_EQ(secstore_session_has_path(s.get(), "x", "NO_SUCH"), -1);
  EXPECT_EQ(secstore_session_has_path(s.get(), "//", "READ_TOPIC"), -1);  // empty path
  EXPECT_EQ(secstore_session_path_permissions(s.get(), ""), nullptr);
}

TEST_F(CApi, NullArgumentsAreRefusedNotCrashed) {
  auto s = session(store.get(), "alice", {});
  EXPECT_EQ(secstore_session_has_global(nullptr, "AUTHENTICATE"), -1);
  EXPECT_EQ(secstore_session_has_global(s.get(), nullptr), -1);
  EXPECT_EQ(secstore_session_has_path(nullptr, "x", "READ_TOPIC"), -1);
  EXPECT_EQ(secstore_session_has_path(s.get(), nullptr, "READ_TOPIC"), -1);
  EXPECT_EQ(secstore_session_has_path(s.get(), "x", nullptr), -1);
  EXPECT_EQ(secstore_session_is_anonymous(nullptr), -1);
  EXPECT_EQ(secstore_session_roles(nullptr), nullptr);
  EXPECT_EQ(secstore_session_global_permissions(nullptr), nullptr);
  EXPECT_EQ(secstore_session_path_permissions(nullptr, "x"), nullptr);
  EXPECT_EQ(secstore_session_path_permissions(s.get(), nullptr), nullptr);
  char* err = nullptr;
  EXPECT_EQ(secstore_session_new(nullptr, "alice", nullptr, &err), nullptr);
  ErrorPtr owned(err);
  EXPECT_THAT(err, HasSubstr("store is NULL"));
  EXPECT_EQ(secstore_store_parse(nullptr, 5, nullptr, nullptr), nullptr);
  // Freeing NULL is allowed, like free().
  secstore_store_free(nullptr);
  secstore_session_free(nullptr);
  secstore_strv_free(nullptr);
  secstore_string_free(nullptr);
}

TEST(CApiErrors, MalformedStoreNamesLineAndColumn) {
  std::string error;
  auto store = parse("set \"A\" permissions [REGISTER_HANDLER]\nset \"B\" permissions [READ_TOPIC]\n",
                     &error);
  EXPECT_EQ(store, nullptr);
  EXPECT_THAT(error, StartsWith("test.store:2:22: error: "));
}

TEST(CApiErrors, ErrorPointerMayBeNull) {
  const char text[] = "bogus\n";
  EXPECT_EQ(secstore_store_parse(text, sizeof text - 1, nullptr, nullptr), nullptr);
}

TEST(CApiErrors, TextNeedNotBeNulTerminated) {
  const char text[] = "isolate path \"a\"\nTRAILING GARBAGE";
  char* err = nullptr;
  StorePtr store(secstore_store_parse(text, 17, "t", &err));
  ErrorPtr owned(err);
  EXPECT_NE(store, nullptr) << (err ? err : "");
}

TEST(CApiLoad, LoadsASafeFile) {
  SECSTORE_NEEDS_ROOT("a safe file is owned by root");
  TempFile file(kWorkedExample, 0644);
  char* err = nullptr;
  StorePtr store(secstore_store_load(file.path().c_str(), 0, &err));
  ErrorPtr owned(err);
  ASSERT_NE(store, nullptr) << (err ? err : "");
  auto s = session(store.get(), "alice", {});
  EXPECT_EQ(secstore_session_has_global(s.get(), "VIEW_SESSION"), 1);
}

TEST(CApiLoad, RefusesAnUnsafeFileUnlessAskedNotTo) {
  SECSTORE_NEEDS_ROOT("files must be root-owned to be safe");
  TempFile file(kWorkedExample, 0666);
  char* err = nullptr;
  StorePtr refused(secstore_store_load(file.path().c_str(), 0, &err));
  ErrorPtr owned(err);
  EXPECT_EQ(refused, nullptr);
  ASSERT_NE(err, nullptr);
  EXPECT_THAT(err, HasSubstr("writable by others"));
  StorePtr allowed(secstore_store_load(file.path().c_str(), SECSTORE_LOAD_ALLOW_UNSAFE, nullptr));
  EXPECT_NE(allowed, nullptr);
}

TEST(CApiLoad, MissingFileAndUnknownFlags) {
  char* err = nullptr;
  EXPECT_EQ(secstore_store_load("/nonexistent/Security.store", 0, &err), nullptr);
  ErrorPtr owned(err);
  ASSERT_NE(err, nullptr);
  EXPECT_THAT(err, HasSubstr("cannot open the file"));
  TempFile file(kWorkedExample, 0644);
  char* err2 = nullptr;
  EXPECT_EQ(secstore_store_load(file.path().c_str(), 0x100, &err2), nullptr);
  ErrorPtr owned2(err2);
  ASSERT_NE(err2, nullptr);
  EXPECT_THAT(err2, HasSubstr("unknown flags"));
}

TEST_F(CApi, SessionOutlivesItsStoreHandle) {
  auto s = session(store.get(), "alice", {"netops"});
  ASSERT_NE(s, nullptr);
  store.reset();
  EXPECT_EQ(secstore_session_has_path(s.get(), "x/y/z/w", "MODIFY_TOPIC"), 1);
}

// Many threads share one store and one session, and make their own
// sessions, with no lock: every answer must still be right.
TEST_F(CApi, ConcurrentReadersAgree) {
  auto shared = session(store.get(), "alice", {"netops"});
  ASSERT_NE(shared, nullptr);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (secstore_session_has_path(shared.get(), "x", "UPDATE_TOPIC") != 1) ++wrong;
        if (secstore_session_has_path(shared.get(), "x/y", "UPDATE_TOPIC") != 0) ++wrong;
        if (secstore_session_has_global(shared.get(), "VIEW_SESSION") != 1) ++wrong;
        if (i % 50 == t) {
          auto own = session(store.get(), nullptr, {});
          if (!own || secstore_session_has_path(own.get(), "iso/in/x", "READ_TOPIC") != 1) ++wrong;
          if (take_strv(secstore_session_roles(own.get())) != std::vector<std::string>{"B"}) ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// The header is C, not only C++: a C99 program builds against it and the
// shared library and gets the same answers.
TEST(CApiFromC, C99ProgramBuildsAndRuns) {
  if (std::system("command -v cc >/dev/null 2>&1") != 0) GTEST_SKIP() << "no C compiler";
  char dir_template[] = "/tmp/secstore-capi-c-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  std::ofstream(dir + "/prog.c") << R"(#include <secstore/secstore.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  const char *text = "set \"R\" path \"a\" permissions [READ_TOPIC]\nset roles for user \"u\" [\"R\"]\n";
  char *error = NULL;
  const char *groups[] = { NULL };
  secstore_store *store = secstore_store_parse(text, strlen(text), "c.store", &error);
  if (!store) { fprintf(stderr, "%s\n", error); secstore_string_free(error); return 10; }
  secstore_session *session = secstore_session_new(store, "u", groups, &error);
  secstore_store_free(store);
  if (!session) { fprintf(stderr, "%s\n", error); secstore_string_free(error); return 11; }
  int yes = secstore_session_has_path(session, "a/b", "READ_TOPIC");
  int no = secstore_session_has_path(session, "b", "READ_TOPIC");
  secstore_session_free(session);
  return yes == 1 && no == 0 ? 0 : 12;
}
)";
  std::string build = std::string(SECSTORE_BUILD_DIR);
  // A sanitizer build of the library needs its runtime in the program too.
#if defined(__SANITIZE_ADDRESS__)
  const char* sanitize = " -fsanitize=address,undefined";
#elif defined(__SANITIZE_THREAD__)
  const char* sanitize = " -fsanitize=thread";
#else
  const char* sanitize = "";
#endif
  std::string cmd = std::string("cc") + sanitize +
                    " -std=c99 -Wall -Wextra -pedantic -Werror -I" SECSTORE_SOURCE_DIR
                    "/lib/include -o " + dir + "/prog " + dir + "/prog.c -L" + build +
                    " -lsecstore -Wl,-rpath," + build + " && " + dir + "/prog";
  int rc = std::system(cmd.c_str());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(rc, 0) << cmd;
}

}  // namespace
