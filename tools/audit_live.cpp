#include "audit_live.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <map>
#include <sstream>
#include <string_view>
#include <tuple>

#include "audit_report.hpp"
#include "json.hpp"
#include "secstore/encoding.hpp"
#include "secstore/nss.hpp"
#include "secstore/unique_fd.hpp"

namespace secstore::cli {
namespace {

// The whole of a file below an open /proc directory; nullopt with errno set
// when it cannot be read (EACCES: another user's process without privilege;
// ESRCH: a thread that has just gone, or a process whose main thread has).
std::optional<std::string> read_at(int dir, const char* name) {
  UniqueFd fd(::openat(dir, name, O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    return text;
  }
}

bool is_number(const char* name) {
  return name[0] != '\0' && std::string_view(name).find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::string> env_value(const std::string& environ, std::string_view name) {
  std::size_t start = 0;
  while (start < environ.size()) {
    std::size_t end = environ.find('\0', start);
    if (end == std::string::npos) end = environ.size();
    std::string_view entry(environ.data() + start, end - start);
    if (entry.size() > name.size() && entry.substr(0, name.size()) == name && entry[name.size()] == '=')
      return std::string(entry.substr(name.size() + 1));
    start = end + 1;
  }
  return std::nullopt;
}

// "Name:\tVALUE" lines of /proc/PID/status.
std::map<std::string, std::string> status_fields(const std::string& status) {
  std::map<std::string, std::string> fields;
  std::istringstream lines(status);
  for (std::string line; std::getline(lines, line);) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    fields[line.substr(0, colon)] = value;
  }
  return fields;
}

CapabilityMask hex_mask(const std::string& text) {
  try {
    return std::stoull(text, nullptr, 16);
  } catch (...) {
    return 0;
  }
}

// The PAM service of the process's logind session, if logind has one.
std::optional<std::string> logind_service(int pid_dir) {
  auto id = read_at(pid_dir, "sessionid");
  if (!id) return std::nullopt;
  while (!id->empty() && std::isspace(static_cast<unsigned char>(id->back()))) id->pop_back();
  if (id->empty() || *id == "4294967295" || id->find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  UniqueFd sessions(::open("/run/systemd/sessions", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!sessions) return std::nullopt;
  auto record = read_at(sessions.get(), id->c_str());
  if (!record) return std::nullopt;
  std::istringstream lines(*record);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("SERVICE=", 0) == 0 && line.size() > 8) return line.substr(8);
  return std::nullopt;
}

std::string masks(CapabilityMask m) { return m ? capability_list(m) : "-"; }

unsigned count(CapabilityMask m) { return static_cast<unsigned>(std::popcount(m)); }

// What `p` holds beyond what the policy gives now (`now`; nullopt: refused).
void compare(const LiveProcess& p, const std::optional<Session>& now, LiveVerdict& v) {
  v.excess_ambient = v.excess_inheritable = v.excess_bounding = 0;
  if (!now) {
    v.excess_ambient = p.ambient;
    v.excess_inheritable = p.inheritable;
    return;
  }
  const SessionPlan& plan = now->plan;
  if (now->subject.is_root() && !plan.root_exclusive) return;  // root is not confined
  v.excess_ambient = p.ambient & ~plan.caps.ambient;
  v.excess_inheritable = p.inheritable & ~(plan.caps.ambient | plan.caps.inheritable);
  v.excess_bounding = p.bounding & plan.caps.bounding_drop;
}

unsigned excess_of(const LiveVerdict& v) {
  return count(v.excess_ambient) + count(v.excess_inheritable) + count(v.excess_bounding);
}

std::string excess_text(const LiveVerdict& v) {
  std::vector<std::string> parts;
  if (v.excess_ambient) parts.push_back("ambient " + capability_list(v.excess_ambient));
  if (v.excess_inheritable) parts.push_back("inheritable " + capability_list(v.excess_inheritable));
  if (v.excess_bounding) parts.push_back("bounding " + capability_list(v.excess_bounding) + " (the policy drops it)");
  return join_items(parts, "; ");
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  return join_items(items, separator);
}

// One thread's credentials, from /proc/PID/task/TID/status: capability sets
// are per thread, and so is the uid (setresuid(2) through the raw system
// call changes one thread only).
struct TaskSets {
  uid_t uid = 0;
  std::string name;
  CapabilityMask inheritable = 0, permitted = 0, effective = 0, bounding = 0, ambient = 0;
};

TaskSets task_sets(const std::string& status) {
  auto fields = status_fields(status);
  TaskSets t;
  t.uid = static_cast<uid_t>(std::strtoul(fields["Uid"].c_str(), nullptr, 10));
  t.name = fields["Name"];
  t.inheritable = hex_mask(fields["CapInh"]);
  t.permitted = hex_mask(fields["CapPrm"]);
  t.effective = hex_mask(fields["CapEff"]);
  t.bounding = hex_mask(fields["CapBnd"]);
  t.ambient = hex_mask(fields["CapAmb"]);
  return t;
}

// Every thread of the process whose /proc directory is `dir`; false when
// one of them could not be read (it went meanwhile, or no privilege).
bool every_task(int dir, std::vector<TaskSets>& tasks) {
  UniqueFd task_fd(::openat(dir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!task_fd) return false;
  DIR* listing = ::fdopendir(task_fd.get());
  if (listing == nullptr) return false;
  task_fd.release();  // closedir closes it
  bool whole = true;
  while (struct dirent* entry = ::readdir(listing)) {
    if (!is_number(entry->d_name)) continue;
    auto status = read_at(::dirfd(listing), (std::string(entry->d_name) + "/status").c_str());
    if (status)
      tasks.push_back(task_sets(*status));
    else
      whole = false;
  }
  ::closedir(listing);
  return whole;
}

bool is_unreadable(int error) { return error == EACCES || error == EPERM || error == ESRCH; }

// Whether /proc/PID/stat's flags (the ninth field) have PF_KTHREAD: a
// kernel thread has no environment (reading it fails with ESRCH) and no
// session.
bool is_kernel_thread(int dir) {
  constexpr unsigned long kPfKthread = 0x00200000;
  auto stat = read_at(dir, "stat");
  if (!stat) return false;
  const auto name_end = stat->rfind(')');
  if (name_end == std::string::npos) return false;
  std::istringstream fields(stat->substr(name_end + 1));
  std::string field;
  for (int i = 0; i < 7 && fields >> field; ++i) {
  }
  return (std::strtoul(field.c_str(), nullptr, 10) & kPfKthread) != 0;
}

}  // namespace

LiveScan scan_processes() {
  LiveScan scan;
  UniqueFd proc_fd(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc_fd) return scan;
  DIR* proc = ::fdopendir(proc_fd.get());
  if (proc == nullptr) return scan;
  proc_fd.release();  // closedir closes it
  const pid_t self = ::getpid();
  while (struct dirent* entry = ::readdir(proc)) {
    if (!is_number(entry->d_name)) continue;
    const pid_t pid = static_cast<pid_t>(std::strtol(entry->d_name, nullptr, 10));
    if (pid == self) continue;
    // Every file of the process through this one descriptor: should the
    // pid be reused meanwhile, the reads fail instead of mixing two
    // processes.
    UniqueFd dir(::openat(::dirfd(proc), entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) {
      if (errno != ENOENT) ++scan.unreadable;  // ENOENT: it is gone
      continue;
    }
    if (is_kernel_thread(dir.get())) continue;
    bool whole = true;
    auto environ = read_at(dir.get(), "environ");
    if (!environ && is_unreadable(errno)) whole = false;
    std::vector<TaskSets> tasks;
    if (!every_task(dir.get(), tasks)) whole = false;
    if (!whole) ++scan.unreadable;
    // The marker is the process's own word (it can rewrite or forge it):
    // it labels a row, and never decides whether a process is looked at.
    const auto marker = environ ? env_value(*environ, "SECSTORE_SESSION") : std::nullopt;
    // A row per uid among its threads (one, unless a thread changed its own).
    std::map<uid_t, LiveProcess> by_uid;
    for (const auto& t : tasks) {
      LiveProcess& p = by_uid[t.uid];
      p.pid = pid;
      p.uid = t.uid;
      if (p.command.empty()) p.command = t.name;
      p.inheritable |= t.inheritable;
      p.permitted |= t.permitted;
      p.effective |= t.effective;
      p.bounding |= t.bounding;
      p.ambient |= t.ambient;
      ++p.threads;
    }
    for (auto& [uid, p] : by_uid) {
      // What the policy bounds: a non-root thread's ambient and inheritable
      // sets, whatever its environment says; and root's sessions, by their
      // marker, where the policy confines root.
      const bool holds = uid != 0 && (p.ambient | p.inheritable) != 0;
      if (!marker && !holds) continue;
      if (marker) p.session = *marker == "named" || *marker == "anonymous" ? *marker : "?";
      if (marker) p.roles_at_login = decode_role_list(env_value(*environ, "SECSTORE_ROLES").value_or(""));
      p.service = logind_service(dir.get());
      scan.processes.push_back(std::move(p));
    }
  }
  ::closedir(proc);
  std::sort(scan.processes.begin(), scan.processes.end(),
            [](const LiveProcess& a, const LiveProcess& b) { return std::tie(a.pid, a.uid) < std::tie(b.pid, b.uid); });
  return scan;
}

Outcome<std::vector<LiveVerdict>> judge_processes(PolicyCache& policies, const LiveScan& scan,
                                                  const std::vector<AuditService>& services,
                                                  const std::vector<std::string>& only_users) {
  using Result = Outcome<std::vector<LiveVerdict>>;
  struct Now {
    std::optional<Session> session;
    std::string refusal;
  };
  // What the policy gives each user now, per service. Whether the session
  // is anonymous is the service's arguments' to say, as for the module: the
  // process's marker would let it pick what it is compared with.
  std::map<std::pair<std::string, std::string>, Now> decided;
  auto now_for = [&](const std::string& user, uid_t uid, const AuditService& service) -> Outcome<Now> {
    const auto key = std::make_pair(user, service_label(service) + '\0' + service.pam_file);
    if (auto it = decided.find(key); it != decided.end()) return Outcome<Now>::success(it->second);
    auto entry = audit_entry(policies, AuditAccount{user, uid}, service);
    if (!entry.ok()) return Outcome<Now>::failure(entry.diagnostics);
    Now now{entry.value->refused ? std::nullopt : entry.value->decision.session, entry.value->refusal};
    if (!now.session && now.refusal.empty()) now.refusal = entry.value->decision.refusal_message;
    return Outcome<Now>::success(decided.emplace(key, std::move(now)).first->second);
  };

  std::vector<LiveVerdict> out;
  for (const auto& p : scan.processes) {
    LiveVerdict v;
    v.process = &p;
    v.user = user_name(p.uid).value_or("");
    if (!only_users.empty() && std::find(only_users.begin(), only_users.end(), v.user) == only_users.end()) continue;
    if (v.user.empty()) {
      v.note = "no account has uid " + std::to_string(p.uid) + " now";
      compare(p, std::nullopt, v);
      v.exceeds = excess_of(v) != 0;
      out.push_back(std::move(v));
      continue;
    }
    // Its own service when logind knows it, else every audited one.
    std::vector<AuditService> candidates;
    for (const auto& s : services)
      if (!p.service || s.name == p.service) candidates.push_back(s);
    if (candidates.empty()) {
      AuditService own = services.empty() ? AuditService{} : services.front();
      own.name = p.service;
      own.pam_file.clear();
      own.lines.clear();
      candidates.push_back(std::move(own));
    }
    std::string refusal;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      auto now = now_for(v.user, p.uid, candidates[i]);
      if (!now.ok()) return Result::failure(now.diagnostics);
      LiveVerdict trial = v;
      compare(p, now.value->session, trial);
      if (i == 0 || excess_of(trial) < excess_of(v)) {
        trial.now = now.value->session;
        refusal = now.value->refusal;
        v = std::move(trial);
      }
      v.compared_with.push_back(service_label(candidates[i]));
    }
    v.exceeds = excess_of(v) != 0;
    if (!v.now)
      v.note = "the policy refuses this account now: " + refusal;
    else if (v.now->subject.is_root() && !v.now->plan.root_exclusive)
      v.note = "uid 0 is not confined by the policy";
    else if (p.session && v.now->access.role_names != p.roles_at_login)
      v.note = "roles now: " + (v.now->access.role_names.empty() ? std::string("none") : joined(v.now->access.role_names, ","));
    out.push_back(std::move(v));
  }
  return Result::success(std::move(out));
}

std::string live_text(const LiveScan& scan, const std::vector<LiveVerdict>& verdicts) {
  std::size_t exceeding = 0;
  for (const auto& v : verdicts) exceeding += v.exceeds ? 1 : 0;
  std::ostringstream out;
  out << "secstore audit --live: " << verdicts.size() << (verdicts.size() == 1 ? " process" : " processes")
      << " of secstore sessions or holding ambient or inheritable capabilities, " << exceeding
      << " beyond what the policy grants now\n";
  if (scan.unreadable != 0)
    out << "(" << scan.unreadable << (scan.unreadable == 1 ? " process" : " processes")
        << " could not be read whole, or went while being read"
        << (::geteuid() == 0 ? "" : ": run as root to see them all") << ")\n";
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"PID", "USER", "UID", "SERVICE", "SESSION", "ROLES", "AMBIENT", "INHERITABLE", "STATUS"});
  for (const auto& v : verdicts) {
    const LiveProcess& p = *v.process;
    std::string status = v.exceeds ? "EXCEEDS: " + excess_text(v) : "ok";
    if (v.exceeds && !v.compared_with.empty()) status += " (compared with " + joined(v.compared_with, ", ") + ")";
    if (!v.note.empty()) status += "; " + v.note;
    rows.push_back({std::to_string(p.pid), v.user.empty() ? "?" : v.user, std::to_string(p.uid),
                    p.service.value_or("?"), p.session.value_or("-"),
                    p.roles_at_login.empty() ? "-" : joined(p.roles_at_login, ","), masks(p.ambient),
                    masks(p.inheritable), status});
  }
  out << aligned_table(rows);
  return out.str();
}

std::string live_json(const LiveScan& scan, const std::vector<LiveVerdict>& verdicts,
                      const std::vector<Diagnostic>& warnings) {
  auto caps = [](CapabilityMask m) { return json_string_list(capability_names(m)); };
  std::vector<std::string> processes;
  for (const auto& v : verdicts) {
    const LiveProcess& p = *v.process;
    std::string granted = "null", roles_now = "null";
    if (v.now) {
      const auto& plan = v.now->plan;
      granted = JsonObject()
                    .add("ambient", caps(plan.caps.ambient))
                    .add("inheritable", caps(plan.caps.ambient | plan.caps.inheritable))
                    .add("bounding_drop", caps(plan.caps.bounding_drop))
                    .str();
      roles_now = json_string_list(v.now->access.role_names);
    }
    processes.push_back(JsonObject()
                            .add("pid", json_number(p.pid))
                            .add("command", json_string(p.command))
                            .add("user", v.user.empty() ? "null" : json_string(v.user))
                            .add("uid", json_number(p.uid))
                            .add("service", p.service ? json_string(*p.service) : "null")
                            .add("session", p.session ? json_string(*p.session) : "null")
                            .add("roles_at_login", json_string_list(p.roles_at_login))
                            .add("roles_now", roles_now)
                            .add("capabilities", JsonObject()
                                                     .add("ambient", caps(p.ambient))
                                                     .add("inheritable", caps(p.inheritable))
                                                     .add("permitted", caps(p.permitted))
                                                     .add("effective", caps(p.effective))
                                                     .add("bounding", caps(p.bounding))
                                                     .str())
                            .add("threads", json_number(p.threads))
                            .add("compared_with", json_string_list(v.compared_with))
                            .add("granted", granted)
                            .add("exceeds", v.exceeds ? "true" : "false")
                            .add("excess", JsonObject()
                                               .add("ambient", caps(v.excess_ambient))
                                               .add("inheritable", caps(v.excess_inheritable))
                                               .add("bounding", caps(v.excess_bounding))
                                               .str())
                            .add("note", v.note.empty() ? "null" : json_string(v.note))
                            .str());
  }
  return JsonObject()
             .add("schema", json_number(kAuditSchema))
             .add("processes", json_array(processes))
             .add("unreadable", json_number(static_cast<long long>(scan.unreadable)))
             .add("warnings", json_diagnostics(warnings))
             .str() +
         "\n";
}

}  // namespace secstore::cli
