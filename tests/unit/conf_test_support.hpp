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

}  // namespace secstore::test
