#include "nss_probe.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <fstream>

namespace secstore::test {
namespace {

int& probe_fd() {
  static int fd = -1;
  return fd;
}

}  // namespace

void note_getgrouplist_calls_in(const std::string& path) {
  if (probe_fd() >= 0) ::close(probe_fd());
  probe_fd() = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
}

int getgrouplist_calls_in(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int calls = 0;
  while (std::getline(in, line)) ++calls;
  return calls;
}

}  // namespace secstore::test

extern "C" __attribute__((visibility("default"))) int getgrouplist(const char* user, gid_t group, gid_t* groups,
                                                                    int* ngroups) {
  const int fd = secstore::test::probe_fd();
  if (fd >= 0) {
    ssize_t ignored = ::write(fd, "getgrouplist\n", 13);
    (void)ignored;
  }
  using Real = int (*)(const char*, gid_t, gid_t*, int*);
  auto real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "getgrouplist"));
  if (real == nullptr) return -1;
  return real(user, group, groups, ngroups);
}
