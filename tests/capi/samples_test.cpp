// The programs debian/tests/installed builds against the installed packages
// (tests/capi/samples/), built here against the build tree's headers and
// library with the same compiler flags, and run: a change to the public API
// that breaks a program using it fails make check, not only an autopkgtest
// after a package build.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "capi/run_shell.hpp"

namespace {

using secstore_test::run_shell;
using Output = secstore_test::ShellOutput;

const std::string build = SECSTORE_BUILD_DIR;
const std::string samples = std::string(SECSTORE_SOURCE_DIR) + "/tests/capi/samples";

// What `pkg-config --cflags --libs secstore` gives an installed system,
// pointed at the build tree; a sanitized library needs its runtime in the
// program too.
std::string flags() {
  return "-I" SECSTORE_SOURCE_DIR "/lib/include " SECSTORE_SANITIZE_FLAGS " -L" + build + " -lsecstore";
}

void build_and_run(const std::string& compiler, const std::string& source, const std::string& expected) {
  char pattern[] = "/tmp/secstore-sample-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::string binary = dir + "/sample";
  const Output built = run_shell(compiler + " -Wall -Werror -o " + binary + " " + samples + "/" + source + " " + flags());
  ASSERT_EQ(built.status, 0) << compiler << " " << source << ":\n" << built.text;
  const Output ran = run_shell("LD_LIBRARY_PATH=" + build + " " + binary);
  EXPECT_EQ(ran.status, 0) << ran.text;
  EXPECT_NE(ran.text.find(expected), std::string::npos) << ran.text;
  std::filesystem::remove_all(dir);
}

TEST(ApiSamples, TheCProgramBuildsAndAnswersTheWorkedExample) {
  build_and_run("gcc", "libcheck.c", ": ok\n");
}

TEST(ApiSamples, TheCxxProgramBuildsAndAnswersTheWorkedExample) {
  build_and_run("g++ -std=c++20", "cxxcheck.cpp", "C++ API: ok\n");
}

}  // namespace
