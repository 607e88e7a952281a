// Helpers for the secstore.conf tests: a private temporary directory to
// write configuration trees into, and short ways to parse and to plan.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "secstore/conf.hpp"

namespace secstore::test {

class ConfTempDir {
 public:
  ConfTempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "secstore-conf-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    ::chmod(path_.c_str(), 0755);
  }
  ConfTempDir(const ConfTempDir&) = delete;
  ConfTempDir& operator=(const ConfTempDir&) = delete;
  ~ConfTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

  // Writes `name` (relative; parent directories are created) with `mode`.
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) const {
    std::string file = *this / name;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path());
    std::ofstream(file, std::ios::trunc) << text;
    ::chmod(file.c_str(), mode);
    return file;
  }
  std::string mkdir(const std::string& name, mode_t mode = 0755) const {
    std::string dir = *this / name;
    std::filesystem::create_directories(dir);
    ::chmod(dir.c_str(), mode);
    return dir;
  }

 private:
  std::string path_;
};

// The files written by the tests are owned by whoever runs them; only root
// can meet pam_secstore's ownership rule, so others test without it.
inline FileSafety test_safety() { return FileSafety{::geteuid() == 0}; }

inline Outcome<Config> parse_conf(const std::string& text, const std::string& name = "test.conf") {
  return Config::parse(text, name, FileSafety{false});
}

inline std::string first_error(const Outcome<Config>& conf) {
  const Diagnostic* d = conf.first_error();
  return d ? d->str() : std::string("(no error)");
}

inline std::uint64_t cap_bit(int cap) { return std::uint64_t{1} << cap; }

// A named session of `user` with the account's `uid` and groups (name, gid).
inline SessionSubject subject_of(const std::string& user, std::optional<uid_t> uid,
                                 std::vector<std::pair<std::string, gid_t>> groups = {}) {
  SessionSubject s;
  s.user = user;
  s.uid = uid;
  for (auto& [name, gid] : groups) s.groups.push_back(SessionGroup{name, gid});
  return s;
}

// What the name service of the tests' imaginary host knows.
inline const ResolvedNames& test_names() {
  static const ResolvedNames names{{{"alice", 1000}, {"bob", 1001}, {"root", 0}},
                                   {{"alice", 1000}, {"netops", 2000}, {"wheel", 10}, {"audio", 29}, {"video", 44}}};
  return names;
}

// The plan for a session holding `roles` (their names), with the names the
// configuration mentions resolved as `names` says, on this kernel.
inline Outcome<SessionPlan> plan_for(const Config& conf, const SessionSubject& who,
                                     std::vector<std::string> roles = {}, const ResolvedNames& names = test_names()) {
  SessionAccess access;
  std::sort(roles.begin(), roles.end());
  access.role_names = std::move(roles);
  return conf.plan(who, access, names, kernel_capability_count());
}

// The files a configuration read, in reading order.
inline std::vector<std::string> files_read(const Config& conf) {
  std::vector<std::string> files;
  for (const auto& s : conf.sources())
    if (s.kind == SourceRecord::Kind::File) files.push_back(s.path);
  return files;
}

inline CapabilityMask all_capabilities() { return capability_mask_of_count(kernel_capability_count()); }

}  // namespace secstore::test
