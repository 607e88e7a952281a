#include "host.hpp"

#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

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
  SessionSubject subject{user, gr->gr_name, {gr->gr_name}};
  std::vector<gid_t> gids(256);
  int count = static_cast<int>(gids.size());
  if (getgrouplist(user.c_str(), pw->pw_gid, gids.data(), &count) < 0) {
    error = "\"" + user + "\" is in more than 256 groups";
    return std::nullopt;
  }
  for (int i = 0; i < count; ++i)
    if (gids[static_cast<std::size_t>(i)] != pw->pw_gid)
      if (const group* g = getgrgid(gids[static_cast<std::size_t>(i)])) subject.groups.emplace_back(g->gr_name);
  return subject;
}

bool join_bench_groups(const std::string& user, const std::string& etc_copy, std::string& error) {
  // A copy of the whole of /etc, mounted over it: a bind mount over the file
  // /etc/group alone is detached as soon as anything on the host replaces
  // that file (useradd renames a new one over it), which other test runs on
  // a shared box do at any time.
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::remove_all(etc_copy, ec);
  fs::copy("/etc", etc_copy, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) {
    error = "cannot copy /etc to " + etc_copy + ": " + ec.message();
    return false;
  }
  std::ifstream in(etc_copy + "/group");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!text.empty() && text.back() != '\n') text += '\n';
  gid_t gid = 64100;
  for (const char* name : {"secbench-a", "secbench-b"}) {
    while (getgrgid(gid) != nullptr) ++gid;
    text += std::string(name) + ":x:" + std::to_string(gid++) + ":" + user + "\n";
  }
  return write_file(etc_copy + "/group", text, error) && bind_in_private_namespace(etc_copy, "/etc", error);
}

bool bind_in_private_namespace(const std::string& file, const std::string& target, std::string& error) {
  if (unshare(CLONE_NEWNS) != 0) {
    error = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    return false;
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    error = std::string("making / private in a new mount namespace: ") + std::strerror(errno);
    return false;
  }
  if (mount(file.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    error = "bind-mounting " + file + " over " + target + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

std::string sssd_note(bool directory_groups) {
  std::ifstream in("/etc/nsswitch.conf");
  std::string line, group_line = "(none)";
  bool sss = false;
  while (std::getline(in, line)) {
    if (line.rfind("group:", 0) == 0) group_line = line;
    if ((line.rfind("passwd:", 0) == 0 || line.rfind("group:", 0) == 0) && line.find(" sss") != std::string::npos)
      sss = true;
  }
  if (directory_groups)
    return std::string(sss ? "sssd row: this run; " : "directory run without sssd; ") + "NSS \"" + group_line +
           "\", the user's groups as the name service gives them";
  if (!sss)
    return "sssd row: skipped, this host's NSS has no sssd (\"" + group_line +
           "\"); `make fleet-bench` runs these rows in the LDAP+sssd root of the fleet test";
  return "sssd row: skipped, NSS names sss here but the bench needs a directory user:"
         " --directory-groups --user=NAME, or `make fleet-bench`";
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
