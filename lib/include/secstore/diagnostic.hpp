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

struct Diagnostic {
  Severity severity = Severity::Error;
  Location where;
  std::string message;

  // "FILE:LINE:COL: error: MESSAGE" (LINE/COL omitted when 0).
  std::string str() const;
};

Diagnostic make_error(Location where, std::string message);
Diagnostic make_warning(Location where, std::string message);

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
};

}  // namespace secstore

#pragma GCC visibility pop
