#include "pam_rows.hpp"

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <syslog.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "host.hpp"
#include "log_capture.hpp"

namespace secstore::bench {

namespace {

int refuse_conversation(int, const pam_message**, pam_response**, void*) { return PAM_CONV_ERR; }

struct PamEnder {
  void operator()(pam_handle_t* h) const { pam_end(h, PAM_SUCCESS); }
};
using PamHandle = std::unique_ptr<pam_handle_t, PamEnder>;

struct CapFree {
  void operator()(cap_t c) const { cap_free(c); }
};

bool inheritable_has_net_bind_service() {
  std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree> caps(cap_get_proc());
  if (!caps) return false;
  cap_flag_value_t v = CAP_CLEAR;
  if (cap_get_flag(caps.get(), CAP_NET_BIND_SERVICE, CAP_INHERITABLE, &v) != 0) return false;
  return v == CAP_SET;
}

// Name-service answers for one call. The buffers are left uninitialised, as
// the modules' are: zeroing 16 KiB would count under callgrind as 16,000
// instructions of a lookup that has none of them.
struct Account {
  struct passwd pw {};
  std::unique_ptr<char[]> buffer{new char[16384]};
  std::unique_ptr<gid_t[]> groups{new gid_t[256]};
  int group_count = 256;
};

// What both modules ask the name service for a named session: the user, then
// its groups (pam_cap for @group lines, pam_secstore for group roles and
// selectors). Timed on its own, it is the part of either row that neither
// module's own code can remove.
int look_up_user_and_groups(pam_handle_t* h, Account& a, std::string& error) {
  const void* item = nullptr;
  if (pam_get_item(h, PAM_USER, &item) != PAM_SUCCESS || item == nullptr) {
    error = "no PAM_USER to look up";
    return PAM_USER_UNKNOWN;
  }
  const char* user = static_cast<const char*>(item);
  struct passwd* found = nullptr;
  if (getpwnam_r(user, &a.pw, a.buffer.get(), 16384, &found) != 0 || found == nullptr) {
    error = std::string("getpwnam_r: no user ") + user;
    return PAM_USER_UNKNOWN;
  }
  if (getgrouplist(user, a.pw.pw_gid, a.groups.get(), &a.group_count) < 0) {
    error = std::string("getgrouplist: more than 256 groups for ") + user;
    return PAM_SYSTEM_ERR;
  }
  return PAM_SUCCESS;
}

// Not a module: the least that SPEC lets a module do for this session and
// conf, with no policy at all. The user and its groups by id (as
// nss-groups), each group's name (SPEC §2.3: roles are set for a group by
// name; pam_cap asks the same for its @group line), each `group =`
// selector's gid (SPEC §3: selectors match by id, not by spelling), and the
// session's one line at LOG_INFO (SPEC §4.7: it gets capabilities), as long
// as the module's. What no module that keeps the contract can go below.
int do_what_the_contract_requires(pam_handle_t* h, const PamRow& row, std::string& error) {
  Account a;
  if (const int rc = look_up_user_and_groups(h, a, error); rc != PAM_SUCCESS) return rc;
  struct group gr {};
  struct group* got = nullptr;
  const std::unique_ptr<char[]> buffer(new char[16384]);
  for (int i = 0; i < a.group_count; ++i)
    if (getgrgid_r(a.groups[static_cast<std::size_t>(i)], &gr, buffer.get(), 16384, &got) != 0 || got == nullptr) {
      error = "getgrgid_r: no group " + std::to_string(a.groups[static_cast<std::size_t>(i)]);
      return PAM_SYSTEM_ERR;
    }
  for (const auto& name : row.selector_groups)
    if (getgrnam_r(name.c_str(), &gr, buffer.get(), 16384, &got) != 0 || got == nullptr) {
      error = "getgrnam_r: no group " + name;
      return PAM_SYSTEM_ERR;
    }
  pam_syslog(h, LOG_INFO, "session opened for user \"%s\" (uid %u) (named; roles %s)", a.pw.pw_name,
             static_cast<unsigned>(a.pw.pw_uid), row.logged_grant.c_str());
  return PAM_SUCCESS;
}

// One measured unit: both calls, so that whatever open sets up close tears
// down and every iteration starts from the same state.
int run_once_quietly(pam_handle_t* h, const PamRow& row, std::string& error) {
  int rc = 0;
  const PamOperation op = row.operation;
  if (op == PamOperation::NameServiceLookup) {
    Account a;
    return look_up_user_and_groups(h, a, error);
  }
  if (op == PamOperation::ContractFloor) return do_what_the_contract_requires(h, row, error);
  if (op == PamOperation::OpenAndCloseSession) {
    rc = pam_open_session(h, 0);
    if (rc != PAM_SUCCESS) {
      error = std::string("pam_open_session: ") + pam_strerror(h, rc);
      return rc;
    }
    rc = pam_close_session(h, 0);
    if (rc != PAM_SUCCESS) error = std::string("pam_close_session: ") + pam_strerror(h, rc);
    return rc;
  }
  rc = pam_setcred(h, PAM_ESTABLISH_CRED);
  if (rc != PAM_SUCCESS) {
    error = std::string("pam_setcred(ESTABLISH): ") + pam_strerror(h, rc);
    return rc;
  }
  rc = pam_setcred(h, PAM_DELETE_CRED);
  if (rc != PAM_SUCCESS) error = std::string("pam_setcred(DELETE): ") + pam_strerror(h, rc);
  return rc;
}

// A failed call says what the module logged about it.
int run_once(pam_handle_t* h, const PamRow& row, std::string& error) {
  const int rc = run_once_quietly(h, row, error);
  if (rc != PAM_SUCCESS && !last_log().empty()) error += " (the log says: " + last_log() + ")";
  return rc;
}

bool write_service(const PamRow& row, const std::string& confdir, std::string& error) {
  std::ofstream out(confdir + "/" + row.name, std::ios::trunc);
  out << row.service_text;
  out.close();
  if (!out) {
    error = "cannot write " + confdir + "/" + row.name + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

PamHandle start(const PamRow& row, const std::string& confdir, const std::string& user,
                std::string& error) {
  static const pam_conv conv{refuse_conversation, nullptr};
  pam_handle_t* raw = nullptr;
  const int rc = pam_start_confdir(row.name.c_str(), user.c_str(), &conv, confdir.c_str(), &raw);
  if (rc != PAM_SUCCESS) {
    error = std::string("pam_start_confdir: ") + pam_strerror(raw, rc);
    if (raw != nullptr) pam_end(raw, rc);
    return nullptr;
  }
  return PamHandle(raw);
}

bool roles_as_expected(pam_handle_t* h, const PamRow& row, std::string& error) {
  int rc = pam_open_session(h, 0);
  if (rc != PAM_SUCCESS) {
    error = std::string("pam_open_session: ") + pam_strerror(h, rc);
    return false;
  }
  const char* roles = pam_getenv(h, "SECSTORE_ROLES");
  const std::string got = roles != nullptr ? roles : "(unset)";
  rc = pam_close_session(h, 0);
  if (rc != PAM_SUCCESS) {
    error = std::string("pam_close_session: ") + pam_strerror(h, rc);
    return false;
  }
  if (got != row.expected_roles) {
    error = "the session's SECSTORE_ROLES is \"" + got + "\", expected \"" + row.expected_roles + "\"";
    return false;
  }
  return true;
}

bool warm_up(pam_handle_t* h, const PamRow& row, std::uint64_t calls, std::string& error) {
  for (std::uint64_t i = 0; i < calls; ++i)
    if (run_once(h, row, error) != PAM_SUCCESS) return false;
  if (!row.expected_roles.empty() && !roles_as_expected(h, row, error)) return false;
  if (row.grant_check == GrantCheck::InheritableRaised && !inheritable_has_net_bind_service()) {
    error = "after warm-up cap_net_bind_service is not in the inheritable set: the stack granted nothing";
    return false;
  }
  return true;
}

// Only ever called in the forked child: the mount namespace it creates dies
// with it.
bool use_private_nsswitch(const std::string& file, std::string& error) {
  return bind_in_private_namespace(file, "/etc/nsswitch.conf", error);
}

// What the child sends back through the pipe: plain bytes, no pointers.
struct WireResult {
  int ok = 0;
  CallStats stats;
  char error[512] = {};
};

WireResult measure(const PamRow& row, const std::string& confdir, const std::string& user,
                   std::vector<std::uint64_t>& samples) {
  WireResult wire;
  std::string error;
  if (!row.nsswitch_override.empty() && !use_private_nsswitch(row.nsswitch_override, error)) {
    std::strncpy(wire.error, error.c_str(), sizeof wire.error - 1);
    return wire;
  }
  PamHandle h = start(row, confdir, user, error);
  if (h && warm_up(h.get(), row, row.warmup_calls, error)) {
    samples.reserve(row.max_calls);
    const std::uint64_t started = now_ns();
    const auto budget_ns = static_cast<std::uint64_t>(row.time_budget_s * 1e9);
    while (samples.size() < row.max_calls) {
      const std::uint64_t t0 = now_ns();
      if (run_once(h.get(), row, error) != PAM_SUCCESS) break;
      const std::uint64_t t1 = now_ns();
      samples.push_back(t1 - t0);
      if (samples.size() >= row.min_calls && t1 - started > budget_ns) break;
    }
    if (error.empty()) {
      wire.ok = 1;
      std::vector<std::uint64_t> copy = samples;
      wire.stats = summarize(copy);
    }
  }
  std::strncpy(wire.error, error.c_str(), sizeof wire.error - 1);
  return wire;
}

bool read_all(int fd, void* buf, std::size_t len) {
  auto* p = static_cast<char*>(buf);
  while (len > 0) {
    const ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, const void* buf, std::size_t len) {
  const auto* p = static_cast<const char*>(buf);
  while (len > 0) {
    const ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

RowResult run_pam_row(const PamRow& row, const std::string& confdir, const std::string& user) {
  RowResult result;
  if (!write_service(row, confdir, result.error)) return result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    result.error = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return result;
  }
  if (pid == 0) {
    close(fds[0]);
    std::vector<std::uint64_t> samples;
    const WireResult wire = measure(row, confdir, user, samples);
    const std::uint64_t count = samples.size();
    const bool sent = write_all(fds[1], &wire, sizeof wire) && write_all(fds[1], &count, sizeof count) &&
                      write_all(fds[1], samples.data(), count * sizeof(std::uint64_t));
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  WireResult wire;
  std::uint64_t count = 0;
  bool got = read_all(fds[0], &wire, sizeof wire) && read_all(fds[0], &count, sizeof count);
  if (got) {
    result.samples_ns.resize(count);
    got = read_all(fds[0], result.samples_ns.data(), count * sizeof(std::uint64_t));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!got) {
    result.error = WIFSIGNALED(status)
                       ? "the measuring child died with signal " + std::to_string(WTERMSIG(status))
                       : "the measuring child exited without a result";
    return result;
  }
  result.ok = wire.ok != 0;
  result.stats = wire.stats;
  result.error = wire.error;
  return result;
}

int run_pam_row_instrumented(const PamRow& row, const std::string& confdir, const std::string& user,
                             std::uint64_t warmup, std::uint64_t calls, std::string& error) {
  if (!write_service(row, confdir, error)) return 1;
  PamHandle h = start(row, confdir, user, error);
  if (!h || !warm_up(h.get(), row, warmup, error)) return 1;
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  for (std::uint64_t i = 0; i < calls; ++i)
    if (run_once(h.get(), row, error) != PAM_SUCCESS) break;
  CALLGRIND_TOGGLE_COLLECT;
  return error.empty() ? 0 : 1;
}

}  // namespace secstore::bench
