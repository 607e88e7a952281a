// `secstore apply` on disk: lock, re-read, validate the whole, replace.
#include "secstore/store_file.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "secstore/file_update.hpp"

namespace secstore {

Outcome<AppliedScript> apply_script_to_store_file(const std::string& store_path, std::string_view script,
                                                  const std::string& script_name, const std::string& invoker,
                                                  bool root_overrides_locks, const FileSafety& safety) {
  Outcome<AppliedScript> out;
  auto lock = FileLock::acquire(store_path);
  if (!lock.ok()) {
    out.diagnostics = std::move(lock.diagnostics);
    return out;
  }

  // Read under the lock: what another apply committed a moment ago is what
  // this script applies to.
  std::string current;
  struct stat st {};
  if (::stat(store_path.c_str(), &st) == 0 || errno != ENOENT) {
    auto file = read_config_file(store_path, safety);
    if (!file.ok()) {
      out.diagnostics = std::move(file.diagnostics);
      return out;
    }
    if (!file.value->safety_warning.empty())
      out.diagnostics.push_back(make_warning(Location{store_path, 0, 0}, "pam_secstore would refuse this file: " +
                                                                            file.value->safety_warning));
    current = std::move(file.value->text);
  }

  auto result = Store::parse_with_script(current, store_path, script, script_name, invoker, root_overrides_locks);
  out.diagnostics.insert(out.diagnostics.end(), std::make_move_iterator(result.diagnostics.begin()),
                         std::make_move_iterator(result.diagnostics.end()));
  if (!result.ok()) return out;

  std::string new_text = result.value->dump();
  bool changed = new_text != current;
  if (changed) {
    // A hand-written store that means the same keeps its comments and layout.
    auto old = Store::parse(current, store_path);
    if (old.ok() && old.value->dump() == new_text) changed = false;
  }
  if (changed) {
    auto written = replace_file_atomically(store_path, new_text);
    if (!written.ok()) {
      out.diagnostics.insert(out.diagnostics.end(), written.diagnostics.begin(), written.diagnostics.end());
      return out;
    }
  }
  out.value = AppliedScript{std::move(*result.value), changed};
  return out;
}

}  // namespace secstore
