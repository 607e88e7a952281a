// The programs debian/tests/installed builds against the installed packages
// (tests/capi/samples/), built here against the build tree's headers and
// library with the same compiler flags, and run: a change to the public API
// that breaks a program using it fails make check, not only an autopkgtest
// after a package build. The EXAMPLES of doc/libsecstore.3 are built and run
// the same way, from the page itself, so the page cannot drift from the API.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "capi/run_shell.hpp"
#include "needs_root.hpp"

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

// The programs of libsecstore(3)'s EXAMPLES, as a reader copies them from
// the rendered page: each .EX block with its roff escapes (\e, \-) undone.
std::vector<std::string> man_page_examples() {
  std::ifstream in(std::string(SECSTORE_SOURCE_DIR) + "/doc/libsecstore.3");
  std::vector<std::string> examples;
  std::string line, text;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == ".EX") {
      inside = true;
      text.clear();
    } else if (line == ".EE") {
      inside = false;
      examples.push_back(text);
    } else if (inside) {
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == 'e' || line[i + 1] == '-')) {
          text += line[i + 1] == 'e' ? '\\' : '-';
          ++i;
        } else {
          text += line[i];
        }
      }
      text += '\n';
    }
  }
  return examples;
}

// An example's first line is the command that builds it
// ("/* cc check.c $(pkg-config ...) */" or "// g++ ... check.cpp $(...)").
std::string build_command(const std::string& example) {
  std::string first = example.substr(0, example.find('\n'));
  if (first.rfind("/* ", 0) == 0 && first.size() > 6 && first.ends_with(" */")) return first.substr(3, first.size() - 6);
  if (first.rfind("// ", 0) == 0) return first.substr(3);
  return {};
}

TEST(ApiSamples, TheManPageExamplesBuildAsWrittenAndAnswerForTheStoreGiven) {
  const auto examples = man_page_examples();
  ASSERT_GE(examples.size(), 2u) << "doc/libsecstore.3 has fewer EXAMPLES than it describes";
  char pattern[] = "/tmp/secstore-man-example-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  const std::string pkg_config = "$(pkg-config --cflags --libs secstore)";
  std::vector<std::string> programs;
  for (const auto& example : examples) {
    std::string command = build_command(example);
    const auto at = command.find(pkg_config);
    ASSERT_NE(at, std::string::npos) << "no build command on the first line of:\n" << example;
    command.replace(at, pkg_config.size(), flags());
    std::istringstream words(command);
    std::string word, source;
    while (words >> word)
      if (word.ends_with(".c") || word.ends_with(".cpp")) source = word;
    ASSERT_FALSE(source.empty()) << command;
    const std::string here = dir + "/" + std::to_string(programs.size());
    std::filesystem::create_directory(here);
    std::ofstream(here + "/" + source) << example;
    const Output built = run_shell("cd " + here + " && " + command + " -Wall -Werror");
    ASSERT_EQ(built.status, 0) << command << ":\n" << built.text;
    programs.push_back(here + "/a.out");
  }

  SECSTORE_NEEDS_ROOT("the examples read only a store pam_secstore would read, which root owns");
  const std::string store = dir + "/Security.store";
  std::ofstream(store) << "set \"reader\" path \"foo\" permissions [READ_TOPIC]\n"
                          "set roles for user \"root\" [\"reader\"]\n";
  ASSERT_EQ(::chmod(store.c_str(), 0644), 0);
  for (const auto& program : programs) {
    const std::string run = "LD_LIBRARY_PATH=" + build + " " + program + " " + store + " ";
    EXPECT_EQ(run_shell(run + "root foo/bar").status, 0) << program;
    EXPECT_EQ(run_shell(run + "root bar").status, 1) << program;
    const Output unknown = run_shell(run + "secstore-no-such-user foo");
    EXPECT_EQ(unknown.status, 2) << program;
    EXPECT_NE(unknown.text.find("unknown user \"secstore-no-such-user\""), std::string::npos) << unknown.text;
  }
  ASSERT_EQ(::chmod(store.c_str(), 0666), 0);
  for (const auto& program : programs) {
    const Output unsafe = run_shell("LD_LIBRARY_PATH=" + build + " " + program + " " + store + " root foo");
    EXPECT_EQ(unsafe.status, 2) << program;
    EXPECT_NE(unsafe.text.find("unsafe"), std::string::npos) << program << ": " << unsafe.text;
  }
}

}  // namespace
