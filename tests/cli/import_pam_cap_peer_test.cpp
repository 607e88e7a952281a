// import-pam-cap against the real pam_cap: for every user of this host, the
// capabilities pam_cap's setcred gives (measured by tests/data/cli/
// pam_cap_probe.c through real libpam) must equal what `secstore explain`
// reports for the imported configuration. Root is left out on purpose:
// secstore confines root to the listed capabilities (SPEC §3), pam_cap
// does not, and the import warns about it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "needs_root.hpp"
#include "run_command.hpp"

namespace secstore_test {
namespace {

namespace fs = std::filesystem;

// pam_cap.so unpacked from Debian's libpam-cap (`make bench` does it into
// BUILD/peer; it is never installed on this host).
std::string find_pam_cap() {
  for (std::string root : {std::string(SECSTORE_BUILD_DIR) + "/peer",
                           std::string(SECSTORE_SOURCE_DIR) + "/build/peer"}) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename() == "pam_cap.so" && it->path().parent_path().filename() == "security")
        return it->path().string();
  }
  return "";
}

std::vector<std::string> host_users() {
  std::vector<std::string> users;
  setpwent();
  while (struct passwd* pw = getpwent())
    if (pw->pw_uid != 0 && std::string(pw->pw_name).rfind("secstore-", 0) != 0)
      users.emplace_back(pw->pw_name);
  endpwent();
  return users;
}

std::string capabilities_of(const std::string& explain_json) {
  auto start = explain_json.find("\"capabilities\": ");
  auto end = explain_json.find('}', start);
  if (start == std::string::npos || end == std::string::npos) return explain_json;
  return explain_json.substr(start + 16, end + 1 - start - 16);
}

TEST(ImportPamCapPeer, EveryUserGetsWhatPamCapGives) {
  SECSTORE_NEEDS_ROOT("pam_cap changes the probe's capabilities");
  std::string pam_cap = find_pam_cap();
  if (pam_cap.empty())
    GTEST_SKIP() << "pam_cap.so not unpacked (make bench unpacks libpam-cap into BUILD/peer)";
  if (std::system("command -v cc >/dev/null 2>&1") != 0) GTEST_SKIP() << "no C compiler";

  TempDir dir;
  std::string probe = dir.path() + "/pam_cap_probe";
  std::string build = "cc -std=c99 -Wall -Wextra -Werror -o " + probe + " " SECSTORE_SOURCE_DIR
                      "/tests/data/cli/pam_cap_probe.c -lpam -lcap";
  ASSERT_EQ(std::system(build.c_str()), 0) << build;

  // Users, groups, @group, *, none and a bounding drop, in an order where
  // first-match-wins matters (a user of sys who is also named later, ...).
  auto capability_conf = dir.write("capability.conf",
                                   "# pam_cap rules, first match wins\n"
                                   "cap_net_raw                 daemon\n"
                                   "^cap_net_bind_service       @sys bin\n"
                                   "none                        games\n"
                                   "cap_chown,!cap_sys_admin    @nogroup\n"
                                   "cap_net_admin               daemon sys\n"
                                   "cap_setfcap                 *\n");
  dir.write("capcmp", "auth optional " + pam_cap + " config=" + capability_conf + "\n");
  auto users = host_users();
  auto imported = run_secstore({"import-pam-cap", capability_conf});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto conf = dir.write("secstore.conf", imported.out);
  auto store = dir.write("Security.store", "");

  unsigned compared = 0;
  for (const auto& user : users) {
    if (::getpwnam(user.c_str()) == nullptr) continue;  // removed meanwhile
    std::string out_file = dir.path() + "/probe.out";
    std::string run = probe + " " + dir.path() + " capcmp '" + user + "' > " + out_file;
    ASSERT_EQ(std::system(run.c_str()), 0) << run;
    std::string pam_cap_gives = read_text(out_file);
    auto explained = run_secstore({"explain", "--store", store, "--conf", conf, "--user", user, "--json"});
    ASSERT_EQ(explained.exit_code, 0) << explained.err;
    EXPECT_EQ(capabilities_of(explained.out) + "\n", pam_cap_gives) << "user " << user;
    ++compared;
  }
  EXPECT_GE(compared, 5u);
}

}  // namespace
}  // namespace secstore_test
