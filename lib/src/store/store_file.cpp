// `secstore apply` on disk: lock, re-read, validate the whole, replace.
#include "secstore/store_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "secstore/file_update.hpp"
#include "store/rewrite.hpp"

namespace secstore {

Outcome<AppliedScript> apply_script_to_store_file(const std::string& store_path, std::string_view script,
                                                  const std::string& script_name, const std::string& invoker,
                                                  bool root_overrides_locks, const FileSafety& safety,
                                                  ApplyMode mode, const StoreTextCheck& check) {
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
  const bool exists = ::stat(store_path.c_str(), &st) == 0 || errno != ENOENT;
  if (exists) {
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

  // A lock set in a drop-in binds the script as one in the store does (the
  // drop-ins are part of the store, SPEC §2.4): the script is checked again
  // against every lock in force, as the store's canonical lock statements.
  if (exists) {
    auto whole = Store::load(store_path, safety);
    if (whole.ok()) {
      std::string locks;
      const std::string dumped = whole.value->dump();
      for (std::size_t at = 0; at < dumped.size();) {
        const std::size_t end = std::min(dumped.find('\n', at), dumped.size());
        if (dumped.substr(at, 9) == "set role ") locks.append(dumped.substr(at, end - at)).append("\n");
        at = end + 1;
      }
      auto checked = Store::parse_with_script(locks, store_path + " (its locks, with the drop-ins)", script,
                                              script_name, invoker, root_overrides_locks);
      bool refused = false;
      for (auto& d : checked.diagnostics) {
        if (d.message.find("locked by principal") == std::string::npos) continue;
        refused = refused || d.severity == Severity::Error;
        const std::string text = d.str();
        if (std::none_of(out.diagnostics.begin(), out.diagnostics.end(),
                         [&](const Diagnostic& seen) { return seen.str() == text; }))
          out.diagnostics.push_back(std::move(d));
      }
      if (refused) return out;
    }
  }

  // Nothing to do when the result means what the file already says,
  // however it is spelled.
  const std::string meaning = result.value->dump();
  auto old = Store::parse(current, store_path);
  if (old.ok() && old.value->dump() == meaning) {
    out.value = AppliedScript{std::move(*result.value), false, ""};
    return out;
  }
  // Keep the file as written; the rewrite must mean exactly what the
  // transaction checked, or nothing is written.
  const std::string after = store_path + " (after " + script_name + ")";
  std::optional<detail::StoreRewrite> rewrite;
  for (auto how : {detail::RewriteMode::InPlace, detail::RewriteMode::AppendOnly}) {
    auto candidate = detail::rewrite_store_text(current, script, how, store_path, after);
    auto reparsed = Store::parse(candidate.text, store_path);
    if (reparsed.ok() && reparsed.value->dump() == meaning) {
      rewrite = std::move(candidate);
      break;
    }
  }
  if (!rewrite) {
    out.diagnostics.push_back(make_error(Location{store_path, 0, 0},
                                         "cannot write this change keeping the file as written; nothing was written"));
    return out;
  }
  // The module reads the drop-ins after the store as one transaction (SPEC
  // §2.4): a change that breaks the whole only with them (an include cycle
  // through a drop-in, say) would refuse every session, so it is refused
  // here, at the drop-in's line. The new text is read in the store's place.
  if (exists) {
    const FileDraft draft{store_path, rewrite->text};
    auto whole = Store::load(store_path, FileSafety{safety.enforce, &draft});
    if (!whole.ok()) {
      for (auto& d : whole.diagnostics)
        if (d.severity == Severity::Error) out.diagnostics.push_back(std::move(d));
      return out;
    }
  }
  // And with what the module reads beside it, as the caller checks that.
  if (check) {
    bool refused = false;
    for (auto& d : check(rewrite->text)) {
      refused = refused || d.severity == Severity::Error;
      out.diagnostics.push_back(std::move(d));
    }
    if (refused) return out;
  }
  if (mode == ApplyMode::Write) {
    auto written = replace_file_atomically(store_path, rewrite->text);
    if (!written.ok()) {
      out.diagnostics.insert(out.diagnostics.end(), written.diagnostics.begin(), written.diagnostics.end());
      return out;
    }
  }
  out.value = AppliedScript{std::move(*result.value), true, std::move(rewrite->diff)};
  return out;
}

}  // namespace secstore
