// Errors and warnings as values: every one names file:line:column and says,
// in one sentence, what was expected and what was found.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

// The C++ API is exported from libsecstore.so (the rest of the library is
// built with -fvisibility=hidden; lib/libsecstore.map lists what is public).
#pragma GCC visibility push(default)

namespace secstore {

struct Location {
  std::string file;
  unsigned line = 0;    // 1-based; 0 when the problem is the file as a whole
  unsigned column = 0;  // 1-based; 0 when the problem is the line as a whole
};

enum class Severity { Error, Warning };

// What kind of problem an error is, so that callers can answer differently
// without reading its text: `secstore` exits 2 for a file it cannot read and
// 1 for one it reads and rejects.
enum class Problem {
  Invalid,     // what a file says (syntax, meaning) or what was asked
  Unsafe,      // a file or directory pam_secstore must not trust (SPEC §4.5)
  Unreadable,  // a file that cannot be opened or read, a system call that failed
};

struct Diagnostic {
  Severity severity = Severity::Error;
  Location where;
  std::string message;
  Problem problem = Problem::Invalid;

  // "FILE:LINE:COL: error: MESSAGE" (LINE/COL omitted when 0).
  std::string str() const;
};

Diagnostic make_error(Location where, std::string message, Problem problem = Problem::Invalid);
Diagnostic make_warning(Location where, std::string message);

// Whether any diagnostic is an error.
bool has_error(const std::vector<Diagnostic>& diagnostics);

// A value, or the errors that stopped it; warnings ride along either way.
// `value` is set exactly when no diagnostic is an error.
template <class T>
struct Outcome {
  std::optional<T> value;
  std::vector<Diagnostic> diagnostics;

  bool ok() const { return value.has_value(); }
  // The first error, or nullptr when there is none.
  const Diagnostic* first_error() const {
    for (const auto& d : diagnostics)
      if (d.severity == Severity::Error) return &d;
    return nullptr;
  }
  static Outcome failure(Diagnostic d) {
    Outcome o;
    o.diagnostics.push_back(std::move(d));
    return o;
  }
  static Outcome failure(std::vector<Diagnostic> diagnostics) {
    Outcome o;
    o.diagnostics = std::move(diagnostics);
    return o;
  }
  static Outcome success(T value, std::vector<Diagnostic> diagnostics = {}) {
    Outcome o;
    o.value = std::move(value);
    o.diagnostics = std::move(diagnostics);
    return o;
  }
};

}  // namespace secstore

#pragma GCC visibility pop
