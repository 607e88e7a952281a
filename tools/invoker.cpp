#include "invoker.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "secstore/encoding.hpp"
#include "secstore/file.hpp"
#include "secstore/nss.hpp"

namespace secstore::cli {
namespace {

std::optional<struct passwd> passwd_of(uid_t uid, std::vector<char>& buffer) {
  buffer.resize(4096);
  for (;;) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc = ::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found);
    if (rc == ERANGE) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc == 0 && found != nullptr) return pw;
    return std::nullopt;
  }
}

std::string user_name_of(uid_t uid) {
  std::vector<char> buffer;
  auto pw = passwd_of(uid, buffer);
  return pw ? std::string(pw->pw_name) : std::to_string(uid);
}

// Whether the caller may read (and, for a directory, search) what `st`
// describes, by its mode bits, as the kernel would decide for them.
bool caller_may_read(const SudoCaller& caller, const struct stat& st) {
  const bool directory = S_ISDIR(st.st_mode);
  mode_t need_user = S_IRUSR | (directory ? S_IXUSR : 0);
  mode_t need_group = S_IRGRP | (directory ? S_IXGRP : 0);
  mode_t need_other = S_IROTH | (directory ? S_IXOTH : 0);
  if (st.st_uid == caller.uid) return (st.st_mode & need_user) == need_user;
  if (std::find(caller.groups.begin(), caller.groups.end(), st.st_gid) != caller.groups.end())
    return (st.st_mode & need_group) == need_group;
  return (st.st_mode & need_other) == need_other;
}

bool caller_may_search(const SudoCaller& caller, const struct stat& st) {
  if (st.st_uid == caller.uid) return (st.st_mode & S_IXUSR) != 0;
  if (std::find(caller.groups.begin(), caller.groups.end(), st.st_gid) != caller.groups.end())
    return (st.st_mode & S_IXGRP) != 0;
  return (st.st_mode & S_IXOTH) != 0;
}

std::string refuse_unreadable(const SudoCaller& caller, const std::string& path) {
  auto opened = open_checked_file(path, FileSafety{true});
  if (!opened.ok()) {
    const Diagnostic* first = opened.first_error();
    return "through sudo, secstore reads only files pam_secstore could use: " +
           (first ? first->str() : path + ": cannot be checked");
  }
  bool readable = caller_may_read(caller, opened.value->st);
  // And every directory above it searchable (a 0644 file in /root is not
  // theirs to read); the chain passed the file rule, so it cannot change.
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
  for (std::string dir = real ? real.get() : ""; readable && dir.size() > 1;) {
    dir.erase(std::max<std::size_t>(dir.rfind('/'), 1));
    struct stat st {};
    readable = ::stat(dir.c_str(), &st) == 0 && caller_may_search(caller, st);
  }
  if (!real || !readable)
    return "through sudo, secstore reads only files " + log_quoted(caller.name) + " may read: " + path + " is not one";
  return "";
}

}  // namespace

SudoCheck sudo_caller() {
  SudoCheck out;
  const char* value = std::getenv("SUDO_UID");
  // SUDO_UID=0: root ran sudo, and acts as root.
  if (::getuid() != 0 || value == nullptr || std::string_view(value) == "0") return out;
  // As secstore.conf reads a uid: digits only, no sign or blanks.
  const std::optional<std::uint32_t> uid = account_id(value);
  std::vector<char> buffer;
  std::optional<struct passwd> pw;
  if (uid && *uid != 0) pw = passwd_of(static_cast<uid_t>(*uid), buffer);
  if (!pw) {
    out.error = "SUDO_UID=" + log_escape(value) +
                " is not the user id of a user; secstore will not guess who ran sudo (unset it to act as root)";
    return out;
  }
  SudoCaller caller{pw->pw_uid, pw->pw_gid, pw->pw_name, {}};
  int count = 32;
  for (;;) {
    caller.groups.resize(static_cast<std::size_t>(count));
    const int wanted = count;
    if (::getgrouplist(pw->pw_name, pw->pw_gid, caller.groups.data(), &count) >= 0) {
      caller.groups.resize(static_cast<std::size_t>(count));
      break;
    }
    if (count <= wanted) count = wanted * 2;
  }
  out.caller = std::move(caller);
  return out;
}

Invoker invoker_of_this_process(bool force, const std::optional<SudoCaller>& sudo) {
  const uid_t uid = ::getuid();
  if (uid != 0) return Invoker{user_name_of(uid), false, user_name_of(uid), false};
  if (sudo)
    return Invoker{sudo->name, force,
                   "root (sudo from " + log_quoted(sudo->name) + ", uid " + std::to_string(sudo->uid) + ")", true};
  return Invoker{"root", true, "root", false};
}

std::string sudo_refusal(const SudoCaller& caller, const std::string& command, const ParsedOptions& options) {
  // The files named inside others (a pam line's conf=, includes, drop-ins)
  // are chosen by whoever wrote those, and the store's text by whoever may
  // apply: only the system's own files, which root wrote, are safe to show.
  for (const char* name : {"store", "conf"})
    if (options.has(name))
      return "through sudo, secstore " + command + " works only on " SECSTORE_DEFAULT_STORE " and " SECSTORE_DEFAULT_CONF
             "; --" + name + " names another file (as root without sudo, any file)";
  for (const auto& path : options.values("pam")) {
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    const std::string_view resolved = real ? std::string_view(real.get()) : std::string_view();
    if (resolved != "/etc/pam.d" && resolved.rfind("/etc/pam.d/", 0) != 0)
      return "through sudo, --pam reads only /etc/pam.d and the files in it; " + path + " is elsewhere";
  }
  if (command == "import-pam-cap")
    for (const auto& path : options.positionals())
      if (auto why = refuse_unreadable(caller, path); !why.empty()) return why;
  return "";
}

std::string sudo_refuses_unowned(const SudoCaller& caller, const std::string& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode) || st.st_uid != caller.uid)
    return "through sudo, " + path + " must be a file " + log_quoted(caller.name) +
           " owns (or give the script on standard input, -)";
  return "";
}

}  // namespace secstore::cli
