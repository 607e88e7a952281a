#include "host.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace secstore::bench {

bool write_file(const std::string& path, const std::string& text, std::string& error) {
  {
    std::ofstream out(path, std::ios::trunc | std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      error = "cannot write " + path + ": " + std::strerror(errno);
      return false;
    }
  }
  // The module refuses files writable by group or others (SPEC §4.5).
  if (chmod(path.c_str(), 0644) != 0) {
    error = "cannot chmod " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

std::optional<SessionSubject> subject_for(const std::string& user, std::string& error) {
  const passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) {
    error = "user \"" + user + "\" does not exist here; pass --user=NAME of an existing account";
    return std::nullopt;
  }
  const group* gr = getgrgid(pw->pw_gid);
  if (gr == nullptr) {
    error = "the primary group of \"" + user + "\" (gid " + std::to_string(pw->pw_gid) + ") has no name";
    return std::nullopt;
  }
  return SessionSubject{user, gr->gr_name};
}

MachineInfo machine_info() {
  MachineInfo m;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0 && m.cpu.empty()) m.cpu = line.substr(line.find(':') + 2);
  m.cpus = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  utsname u{};
  if (uname(&u) == 0) m.kernel = u.release;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  m.memory = std::to_string((pages * page + (1L << 29)) >> 30) + " GiB RAM";
  return m;
}

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace secstore::bench
