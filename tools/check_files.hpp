// What `secstore check` decides about a store and a configuration, shared
// with `secstore edit`, which validates the edited copy exactly as check
// would validate the file it becomes.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "cli.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"
#include "secstore/policy.hpp"

namespace secstore::cli {

// Prints each diagnostic once (overrides are loaded on top of the main
// file, whose findings are already out) and one summary line per file.
class Reporter {
 public:
  explicit Reporter(const Io& io) : io_(io) {}
  void report(const std::string& file, const std::vector<Diagnostic>& found);
  int exit_code() const { return worst_; }
  // Every error reported.
  const std::vector<Diagnostic>& errors() const { return errors_; }

 private:
  const Io& io_;
  std::set<std::string> printed_;
  std::vector<Diagnostic> errors_;
  int worst_ = kExitOk;
};

struct CheckScope {
  bool store = true;
  bool conf = true;
  const FileDraft* draft = nullptr;  // `edit`: this file as it will be
  bool stale_index = true;           // report an index that no longer matches
};

// The store (and its drop-ins) and the configuration (its includes and every
// secstore.d override) as the module reads them, plus what the module trips
// over at a session: unknown groups, unsafe chroots, root's own plan.
void check_files(const PolicyFiles& files, const CheckScope& scope, Reporter& reporter);

// What a change to one file of the pair adds to what `check` refuses: the
// errors it reports with that file read as the new text, less those the
// files have now (which are not the change's doing and do not block it).
// `edit` and `apply` install only a change that adds none, so neither
// installs a file with which check, and so pam_secstore, would refuse what
// it accepts now. The other file is checked when it exists.
class ChangeCheck {
 public:
  // The pair as it is now, checked quietly.
  ChangeCheck(const PolicyFiles& files, bool changing_conf);
  // The errors `text` in the changed file's place adds; check's report of
  // the pair so changed goes to `io`.
  std::vector<Diagnostic> added_by(const std::string& text, const Io& io);

 private:
  PolicyFiles files_;
  std::string target_;
  CheckScope scope_;
  std::vector<std::string> before_;
};

}  // namespace secstore::cli
