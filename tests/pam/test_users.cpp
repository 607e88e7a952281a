#include "test_users.hpp"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace secstore::test {
namespace {

bool ready = false;  // test-only: set once by the environment below

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

void remove_all() {
  for (const char* user : {kAlice, kBob}) run(std::string("userdel ") + user);
  for (const char* group : {kOpsGroup, kExtraGroup, kGuestsGroup, kAlice, kBob})
    run(std::string("groupdel ") + group);
}

class TestUsers : public ::testing::Environment {
 public:
  void SetUp() override {
    if (::geteuid() != 0) return;
    // Two runs at once (engineers sharing a machine, make -j) would delete
    // each other's users: the second waits for the first.
    lock_fd_ = ::open("/run/lock/secstore-pam-tests.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) lock_fd_ = ::open("/tmp/secstore-pam-tests.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ >= 0) ::flock(lock_fd_, LOCK_EX);
    remove_all();  // left over from an interrupted run
    bool ok = run(std::string("groupadd --system ") + kOpsGroup) == 0 &&
              run(std::string("groupadd --system ") + kExtraGroup) == 0 &&
              run(std::string("groupadd --system ") + kGuestsGroup) == 0 &&
              run(std::string("useradd --system --no-create-home --user-group --shell /usr/sbin/nologin -G ") +
                  kOpsGroup + " " + kAlice) == 0 &&
              run(std::string("useradd --system --no-create-home --user-group --shell /usr/sbin/nologin -G ") +
                  kGuestsGroup + " " + kBob) == 0;
    ready = ok;
    if (!ok) std::fprintf(stderr, "tests/pam: could not create the test users with useradd\n");
  }
  void TearDown() override {
    if (::geteuid() == 0) remove_all();
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
    lock_fd_ = -1;
  }

 private:
  int lock_fd_ = -1;
};

[[maybe_unused]] const auto* const registered = ::testing::AddGlobalTestEnvironment(new TestUsers);

}  // namespace

bool test_users_ready() { return ready; }

uid_t uid_of(const std::string& user) {
  struct passwd* pw = ::getpwnam(user.c_str());
  return pw ? pw->pw_uid : static_cast<uid_t>(-1);
}

gid_t gid_of_group(const std::string& group) {
  struct group* gr = ::getgrnam(group.c_str());
  return gr ? gr->gr_gid : static_cast<gid_t>(-1);
}

}  // namespace secstore::test
