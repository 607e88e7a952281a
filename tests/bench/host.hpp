// The machine the bench runs on: files it writes, the session user, the
// hardware line of the report, its own path (to re-run itself under tools).
#pragma once

#include <optional>
#include <string>

#include "report.hpp"
#include "store_generator.hpp"

namespace secstore::bench {

// Writes `text` to `path` and makes it 0644 (the module refuses files
// writable by group or others, SPEC §4.5).
bool write_file(const std::string& path, const std::string& text, std::string& error);
// The user and its primary group's name, from NSS.
std::optional<SessionSubject> subject_for(const std::string& user, std::string& error);
// The realistic session's user is in three groups: this process moves to a
// mount namespace of its own (made private, so nothing propagates back) in
// which `etc_copy`, a copy of the host's /etc whose group file adds two
// groups holding `user`, is bind-mounted over /etc. Every row, and the tools
// re-running the bench, inherit it; the host's files are never touched, and
// NSS stays as nsswitch.conf says (files, then systemd, on Debian).
bool join_bench_groups(const std::string& user, const std::string& etc_copy, std::string& error);
// Moves this process into a new mount namespace, makes its tree private (so
// nothing propagates back to the host) and bind-mounts `file` over `target`.
bool bind_in_private_namespace(const std::string& file, const std::string& target, std::string& error);
// Whether this run is the one with sssd as the name service, and if not,
// why not and where that run is.
std::string sssd_note(bool directory_groups);
MachineInfo machine_info();
std::string self_exe();

}  // namespace secstore::bench
