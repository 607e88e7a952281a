// `secstore audit --live`: the running processes that hold capabilities a
// session could have given them, each compared with what the policy would
// grant its user now. Every thread of every process is read
// (/proc/PID/task/TID/status, through one descriptor of /proc/PID): a
// process is looked at when a thread of a uid other than 0 holds an ambient
// or inheritable capability, or when it carries pam_secstore's environment
// (SECSTORE_SESSION, SECSTORE_ROLES in /proc/PID/environ, readable by
// root). That environment is the process's own to rewrite, so it only
// labels the row. A process exceeds the policy when its ambient or
// inheritable set holds a capability the policy would not grant, or its
// bounding set one the policy would drop: the policy changed since login,
// or something else raised them.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "audit.hpp"
#include "secstore/capabilities.hpp"

namespace secstore::cli {

struct LiveProcess {
  pid_t pid = 0;
  uid_t uid = 0;         // the real uid
  std::string command;   // the Name of its first thread's status
  // SECSTORE_SESSION: "named", "anonymous", "?" (something else), or none.
  // The process's own word: it labels the row and decides nothing.
  std::optional<std::string> session;
  std::vector<std::string> roles_at_login;  // SECSTORE_ROLES, decoded (with session only)
  // The union over its threads of this uid: each thread has its own sets.
  CapabilityMask inheritable = 0, permitted = 0, effective = 0, bounding = 0, ambient = 0;
  unsigned threads = 0;
  // The PAM service, when systemd-logind recorded the process's session
  // (/proc/PID/sessionid, /run/systemd/sessions/ID); pam_secstore exports none.
  std::optional<std::string> service;
};

struct LiveScan {
  std::vector<LiveProcess> processes;  // by pid
  // Processes of which something could not be read: the environment or a
  // thread's status (no privilege, or gone while being read).
  std::size_t unreadable = 0;
};

LiveScan scan_processes();

struct LiveVerdict {
  const LiveProcess* process = nullptr;
  std::string user;  // "" when no account has the uid now
  // What the policy gives the user now, in the service the process was
  // compared with: its own, or (its service unknown) the one of the audited
  // services that it exceeds least.
  std::optional<Session> now;  // nullopt: refused now
  std::vector<std::string> compared_with;  // service labels
  CapabilityMask excess_ambient = 0, excess_inheritable = 0, excess_bounding = 0;
  bool exceeds = false;
  std::string note;  // why it is not compared, or what the policy says now
};

// Errors: those of audit_entry.
Outcome<std::vector<LiveVerdict>> judge_processes(PolicyCache& policies, const LiveScan& scan,
                                                  const std::vector<AuditService>& services,
                                                  const std::vector<std::string>& only_users);

std::string live_text(const LiveScan& scan, const std::vector<LiveVerdict>& verdicts);
std::string live_json(const LiveScan& scan, const std::vector<LiveVerdict>& verdicts,
                      const std::vector<Diagnostic>& warnings);

}  // namespace secstore::cli
