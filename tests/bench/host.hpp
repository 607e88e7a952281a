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
MachineInfo machine_info();
std::string self_exe();

}  // namespace secstore::bench
