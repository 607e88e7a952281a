// A private directory of configuration files for one test, removed after it.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace secstore::test {

class TempTree {
 public:
  TempTree() {
    char pattern[] = "/tmp/secstore-module-test-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    ::chmod(root_.c_str(), 0755);
  }
  ~TempTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  std::string path(const std::string& name) const { return root_ + "/" + name; }

  // Writes `name` (creating parent directories) with `mode`, owned by the
  // test's user (root when the tests run as root).
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) const {
    std::string full = path(name);
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    {
      std::ofstream out(full, std::ios::trunc);
      out << text;
    }
    ::chmod(full.c_str(), mode);
    return full;
  }

  std::string mkdir(const std::string& name, mode_t mode = 0755) const {
    std::string full = path(name);
    std::filesystem::create_directories(full);
    ::chmod(full.c_str(), mode);
    return full;
  }

 private:
  std::string root_;
};

}  // namespace secstore::test
